"""Capacity: how many learners one Voilà server holds, with a protocol-level load generator.

One Chromium per learner on a 2-core machine would measure the browsers, so each simulated
learner speaks the protocol instead, in one asyncio process:

1. fetches the page (``GET /voila/render/<notebook>?session=<token>``; Voilà starts a kernel and
   executes the notebook) and reads the kernel id from the page;
2. opens the kernel websocket ``/api/kernels/<id>/channels`` and asks for the widget states
   as ipywidgets 8's manager does (``jupyter.widget.control`` comm, ``request_states``);
3. answers the current question as the browser would: ``comm_msg``
   ``{"method": "update", "state": {...}, "buffer_paths": []}`` on the answer widget
   (RadioButtons ``index``, Checkbox ``value``, Dropdown ``index``, Text ``value``), then
   ``{"method": "custom", "content": {"event": "click"}}`` on "Kiểm tra"; the round trip runs
   from the click being sent to the feedback HTML widget's ``value`` update arriving on iopub;
4. retries when a second try is offered, presses "Câu tiếp theo" once a question is settled,
   and after the last question leaves the page (Voilà's shutdown request with the XSRF
   double submit, as our template sends it) for the next module page.

Think time (seconds, uniform): reading a page before the first answer ``READ``, each answer
``THINK``, from choosing an answer to pressing "Kiểm tra" ``PICK`` (a learner does not click
in the same millisecond; sent back to back, the answer's updates and the click measured a
steady extra ~40 ms), after a settled question ``NEXT``. Websockets are ``TCP_NODELAY``, as
in a browser. The bare learner does the same with the bare page: read, then
``CLICKS_PER_PAGE`` clicks on its Button (round trip: click sent → the Label's ``value``
update), then the next page.

Learners are added in steps; at each step the new learners arrive one every ``ARRIVAL_S``,
the generator waits until all have their first page, then measures for a window (at least
``WINDOW_MIN_S`` and ``WINDOW_MIN_SAMPLES`` answers, at most ``WINDOW_MAX_S``). The capacity
is the number of learners at which the p95 answer round trip crosses 150 ms for good (the
step over it is confirmed by the next one; interpolated from the step under it). Memory is
the RSS of the Voilà process and all its kernels (psutil) per learner. Everything stays on
127.0.0.1; every loop is bounded (steps, window length, learner cap, memory reserve).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import secrets
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from benchmarks import common

THRESHOLD_MS = 150.0
READ = (10.0, 30.0)
THINK = (5.0, 15.0)
NEXT = (2.0, 5.0)
PICK = (0.5, 2.0)
MAX_ERRORS = 50  # from choosing an answer to pressing "Kiểm tra"
CLICKS_PER_PAGE = 9  # about what a learner sends on one of our module pages (6 questions, 2 tries)
ARRIVAL_S = 1.0
STEPS = (2, 4, 8, 12, 16, 24, 32, 40, 48, 64, 80, 96, 128, 160)
CONFIRM = 2  # consecutive steps over the threshold before the ramp stops
WINDOW_MIN_S = 60.0
WINDOW_MAX_S = 240.0
WINDOW_MIN_SAMPLES = 80
MEMORY_RESERVE_GB = 4.0
ANSWER_TIMEOUT_S = 60.0
PAGE_TIMEOUT_S = 300.0
LESSONS = (
    "02-tong-quan.ipynb",
    "03-nguoi-dung-dau.ipynb",
    "04-thoi-gio-5-ro.ipynb",
    "05-phoi-hop-tai-san-cong.ipynb",
    "06-tiep-dan-don-thu.ipynb",
    "07-nep-song-van-minh.ipynb",
    "08-thanh-tra-giam-sat.ipynb",
)
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]+)"')


# ---- Statistics shared by all learners --------------------------------------------------------


@dataclass
class Stats:
    answers: list[tuple[float, float]] = field(default_factory=list)
    """(time sent, round trip in ms; inf when it timed out)."""
    pages: list[tuple[float, float]] = field(default_factory=list)
    """(time requested, seconds until the page's widgets were known)."""
    errors: list[str] = field(default_factory=list)

    def answers_between(self, start: float, end: float) -> list[float]:
        return [ms for at, ms in self.answers if start <= at < end]

    def pages_between(self, start: float, end: float) -> list[float]:
        return [s for at, s in self.pages if start <= at < end]


def _message(msg_type: str, content: dict[str, Any], session: str, **extra: Any) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "username": "learner",
            "session": session,
            "msg_type": msg_type,
            "version": "5.3",
            "date": "",
        },
        "parent_header": {},
        "metadata": extra.pop("metadata", {}),
        "content": content,
        "channel": "shell",
        "buffers": [],
        **extra,
    }


class Kernel:
    """One page's kernel websocket: widget states kept current from iopub."""

    def __init__(self, base: str, kernel_id: str) -> None:
        self.base = base
        self.kernel_id = kernel_id
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict[str, Any]] = {}
        self.models: dict[str, str] = {}
        self._value_waiters: dict[str, asyncio.Future[float]] = {}
        self._idle_waiters: dict[str, asyncio.Future[None]] = {}
        self._control = uuid.uuid4().hex
        self._states_ready: asyncio.Future[None] | None = None
        self.ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._links: dict[tuple[str, str], tuple[str, str]] = {}
        """jsdlink source (model, trait) → target: copied here as the browser's widget manager
        does (the page's "Kiểm tra" waits for such a round trip; see widgets/runtime/sync.py)."""

    async def open(self) -> None:
        from tornado.websocket import websocket_connect

        url = (
            self.base.replace("http://", "ws://")
            + f"api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        )
        self.ws = await websocket_connect(url, max_message_size=64 * 2**20)
        self.ws.protocol.set_nodelay(True)  # as a browser does: no Nagle delay on small frames
        self._reader = asyncio.ensure_future(self._read())
        self._states_ready = asyncio.get_running_loop().create_future()
        await self.send(
            "comm_open",
            {"comm_id": self._control, "target_name": "jupyter.widget.control", "data": {}},
            metadata={"version": "1.0.0"},
        )
        await self.send("comm_msg", {"comm_id": self._control, "data": {"method": "request_states"}})
        await asyncio.wait_for(self._states_ready, PAGE_TIMEOUT_S)

    async def send(self, msg_type: str, content: dict[str, Any], **extra: Any) -> str:
        message = _message(msg_type, content, self.session, **extra)
        await self.ws.write_message(json.dumps(message))
        return str(message["header"]["msg_id"])

    async def update(self, model_id: str, state: dict[str, Any]) -> None:
        self.states[model_id].update(state)
        await self.send(
            "comm_msg",
            {"comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}},
        )

    async def click(self, model_id: str, wait_value_of: str | None = None) -> tuple[float | None, str]:
        """Send a click; with ``wait_value_of``, also wait for that widget's ``value`` update
        and return the round trip in ms. Returns (ms or None, the click's msg id)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[float] | None = None
        if wait_value_of:
            waiter = loop.create_future()
            self._value_waiters[wait_value_of] = waiter
        idle = loop.create_future()
        message = _message(
            "comm_msg",
            {"comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}},
            self.session,
        )
        msg_id = str(message["header"]["msg_id"])
        self._idle_waiters[msg_id] = idle
        sent = time.perf_counter()
        await self.ws.write_message(json.dumps(message))
        if waiter is None:
            return None, msg_id
        try:
            arrived = await asyncio.wait_for(waiter, ANSWER_TIMEOUT_S)
        except TimeoutError:
            return float("inf"), msg_id
        finally:
            self._value_waiters.pop(wait_value_of or "", None)
        return (arrived - sent) * 1000, msg_id

    async def idle_after(self, msg_id: str) -> None:
        """Wait until the kernel has finished handling ``msg_id``."""
        waiter = self._idle_waiters.get(msg_id)
        if waiter is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, ANSWER_TIMEOUT_S)
            self._idle_waiters.pop(msg_id, None)

    async def _read(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                return
            if isinstance(raw, bytes):
                continue  # messages with binary buffers: none of the widgets we drive
            now = time.perf_counter()
            msg = json.loads(raw)
            if msg.get("channel") != "iopub":
                continue
            kind = msg["msg_type"]
            content = msg["content"]
            if kind == "status":
                if content.get("execution_state") == "idle":
                    waiter = self._idle_waiters.pop(msg["parent_header"].get("msg_id", ""), None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
            elif kind == "comm_open":
                data = content.get("data", {})
                self.states[content["comm_id"]] = dict(data.get("state", {}))
                self.models[content["comm_id"]] = data.get("state", {}).get("_model_name", "")
                await self._linked(content["comm_id"])
            elif kind == "comm_msg":
                data = content.get("data", {})
                comm_id = content["comm_id"]
                method = data.get("method")
                if comm_id == self._control and method == "update_states":
                    for model_id, model in data["states"].items():
                        self.states[model_id] = dict(model["state"])
                        self.models[model_id] = model["model_name"]
                    for model_id in list(data["states"]):
                        await self._linked(model_id)
                    if self._states_ready is not None and not self._states_ready.done():
                        self._states_ready.set_result(None)
                elif method == "update":
                    state = data.get("state", {})
                    self.states.setdefault(comm_id, {}).update(state)
                    for trait, value in state.items():
                        if (target := self._links.get((comm_id, trait))) is not None:
                            await self.update(target[0], {target[1]: value})
                    waiter = self._value_waiters.get(comm_id)
                    if "value" in state and waiter is not None and not waiter.done():
                        waiter.set_result(now)
            elif kind == "comm_close":
                self.states.pop(content.get("comm_id", ""), None)

    async def _linked(self, model_id: str) -> None:
        """A ``jsdlink`` model: remember it and copy its source's value now, as the browser does
        when the link is created."""
        if self.models.get(model_id) != "DirectionalLinkModel":
            return
        state = self.states[model_id]
        (source, source_trait), (target, target_trait) = state["source"], state["target"]
        source, target = source.removeprefix("IPY_MODEL_"), target.removeprefix("IPY_MODEL_")
        self._links[(source, source_trait)] = (target, target_trait)
        if source_trait in self.states.get(source, {}) and target in self.states:
            await self.update(target, {target_trait: self.states[source][source_trait]})

    def find(self, model: str | None = None, dom_class: str | None = None) -> list[str]:
        return [
            model_id
            for model_id, state in self.states.items()
            if (model is None or self.models.get(model_id) == model)
            and (dom_class is None or dom_class in state.get("_dom_classes", ()))
        ]

    def children(self, model_id: str) -> list[str]:
        return [c.removeprefix("IPY_MODEL_") for c in self.states.get(model_id, {}).get("children", ())]

    def descendants(self, model_id: str) -> list[str]:
        found = []
        for child in self.children(model_id):
            found.append(child)
            found += self.descendants(child)
        return found

    async def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader


# ---- Learners -----------------------------------------------------------------------------------


class Learner:
    def __init__(self, site: Site, index: int, rng: random.Random) -> None:
        self.site = site
        self.index = index
        self.rng = rng
        self.pages_done = 0
        self.first_page = asyncio.get_running_loop().create_future()

    async def think(self, bounds: tuple[float, float]) -> None:
        await asyncio.sleep(self.rng.uniform(*bounds) * self.site.think_scale)

    async def run(self) -> None:
        page_no = self.index
        while not self.site.stopping:
            try:
                await self.visit(page_no)
            except Exception as error:  # recorded, then the learner carries on with the next page
                self.site.stats.errors.append(f"{type(error).__name__}: {error}"[:300])
                if len(self.site.stats.errors) > MAX_ERRORS:
                    self.site.stopping = True  # something is broken: stop rather than pile up kernels
                if not self.first_page.done():
                    self.first_page.set_result(None)
                await asyncio.sleep(2)
            page_no += 1

    async def load(self, notebook: str, query: str) -> Kernel:
        from tornado.httpclient import AsyncHTTPClient

        started = time.perf_counter()
        response = await AsyncHTTPClient().fetch(
            self.site.server.render_url(notebook, query), request_timeout=PAGE_TIMEOUT_S
        )
        match = KERNEL_ID.search(response.body.decode("utf-8", "replace"))
        if not match:
            raise RuntimeError(f"no kernel id in {notebook}")
        kernel = Kernel(self.site.server.base, match.group(1))
        try:
            await kernel.open()
        except BaseException:
            await self.leave(kernel)  # the page's kernel runs already: never leave it behind
            raise
        self.site.stats.pages.append((started, time.perf_counter() - started))
        if not self.first_page.done():
            self.first_page.set_result(None)
        return kernel

    async def leave(self, kernel: Kernel) -> None:
        from tornado.httpclient import AsyncHTTPClient, HTTPClientError

        await kernel.close()
        xsrf = secrets.token_hex(16)
        with contextlib.suppress(HTTPClientError, OSError):
            await AsyncHTTPClient().fetch(
                f"{self.site.server.base}voila/api/shutdown/{kernel.kernel_id}",
                method="POST",
                body=f"_xsrf={xsrf}",
                headers={"Cookie": f"_xsrf={xsrf}", "Content-Type": "application/x-www-form-urlencoded"},
                request_timeout=PAGE_TIMEOUT_S,
            )

    async def visit(self, page_no: int) -> None:
        raise NotImplementedError


class BareLearner(Learner):
    async def visit(self, page_no: int) -> None:
        kernel = await self.load(common.BARE_NOTEBOOK, "")
        try:
            button = kernel.find("ButtonModel")[0]
            label = kernel.find("LabelModel")[0]
            await self.think(READ)
            for _ in range(CLICKS_PER_PAGE):
                if self.site.stopping:
                    return
                sent = time.perf_counter()
                ms, msg_id = await kernel.click(button, wait_value_of=label)
                self.site.stats.answers.append((sent, float(ms or 0.0)))
                await kernel.idle_after(msg_id)
                await self.think(THINK)
        finally:
            await self.leave(kernel)


class SiteLearner(Learner):
    def __init__(self, site: Site, index: int, rng: random.Random, learner_id: str) -> None:
        super().__init__(site, index, rng)
        self.learner_id = learner_id

    async def visit(self, page_no: int) -> None:
        notebook = LESSONS[page_no % len(LESSONS)]
        kernel = await self.load(notebook, f"session={self.learner_id}")
        try:
            await self.think(READ)
            for _ in range(40):  # bounded: a quiz has at most 20 questions, 2 tries each
                if self.site.stopping:
                    return
                question = self.current_question(kernel)
                if question is None:
                    break  # summary shown: the quiz is finished
                submit, feedback, inputs = question
                if kernel.states[submit].get("disabled"):
                    await self.press_next(kernel)
                    continue
                for try_no in range(3):
                    await self.answer(kernel, inputs, try_no)
                    await self.think(PICK)  # the answer's own updates are not part of the click
                    sent = time.perf_counter()
                    ms, msg_id = await kernel.click(submit, wait_value_of=feedback)
                    self.site.stats.answers.append((sent, float(ms or 0.0)))
                    await kernel.idle_after(msg_id)
                    if kernel.states[submit].get("disabled") or self.site.stopping:
                        break
                    await self.think(THINK)
                await self.think(NEXT)
                await self.press_next(kernel)
            await self.think(NEXT)
        finally:
            await self.leave(kernel)

    @staticmethod
    def current_question(kernel: Kernel) -> tuple[str, str, list[str]] | None:
        for quiz in kernel.find("VBoxModel", "nk-quiz"):
            for child in kernel.children(quiz):
                if "nk-question" in kernel.states.get(child, {}).get("_dom_classes", ()):
                    parts = kernel.descendants(child)
                    submit = [
                        p for p in parts if "nk-submit" in kernel.states.get(p, {}).get("_dom_classes", ())
                    ]
                    feedback = [
                        p for p in parts if "nk-feedback" in kernel.states.get(p, {}).get("_dom_classes", ())
                    ]
                    inputs = [
                        p
                        for p in parts
                        if kernel.models.get(p)
                        in {"RadioButtonsModel", "CheckboxModel", "DropdownModel", "TextModel"}
                    ]
                    if submit and feedback:
                        return submit[0], feedback[0], inputs
        return None

    async def answer(self, kernel: Kernel, inputs: list[str], try_no: int) -> None:
        """Some answer, different on each try (a right one about 60 % of the time is not
        needed: the kernel grades whatever arrives; a learner who fails moves on)."""
        for model_id in inputs:
            model, state = kernel.models[model_id], kernel.states[model_id]
            if model == "RadioButtonsModel":
                options = len(state.get("_options_labels", ())) or 2
                await kernel.update(model_id, {"index": (self.rng.randrange(options) + try_no) % options})
            elif model == "CheckboxModel":
                if self.rng.random() < 0.5 or model_id == inputs[-1]:
                    await kernel.update(model_id, {"value": not state.get("value", False)})
            elif model == "DropdownModel":
                options = len(state.get("_options_labels", ())) or 2
                await kernel.update(model_id, {"index": 1 + self.rng.randrange(max(1, options - 1))})
            elif model == "TextModel":
                await kernel.update(model_id, {"value": f"trả lời {try_no + 1} {self.rng.randrange(100)}"})

    async def press_next(self, kernel: Kernel) -> None:
        buttons = kernel.find("ButtonModel", "nk-next")
        if not buttons:
            return
        _, msg_id = await kernel.click(buttons[0])
        await kernel.idle_after(msg_id)


# ---- A site under a growing number of learners ------------------------------------------------


class Site:
    def __init__(self, kind: str, server: common.Server, learner_ids: list[str], think_scale: float) -> None:
        self.kind = kind
        self.server = server
        self.learner_ids = learner_ids
        self.think_scale = think_scale
        self.stats = Stats()
        self.stopping = False
        self.learners: list[Learner] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.rng = random.Random(1273)

    async def grow(self, target: int) -> None:
        new = []
        while len(self.learners) < target:
            index = len(self.learners)
            rng = random.Random(self.rng.getrandbits(32))
            learner: Learner = (
                BareLearner(self, index, rng)
                if self.kind == "bare"
                else SiteLearner(self, index, rng, self.learner_ids[index])
            )
            self.learners.append(learner)
            self.tasks.append(asyncio.ensure_future(learner.run()))
            new.append(learner)
            await asyncio.sleep(ARRIVAL_S)
        if new:
            await asyncio.wait(
                [asyncio.ensure_future(_wrap(one.first_page)) for one in new], timeout=PAGE_TIMEOUT_S
            )

    async def stop(self) -> None:
        self.stopping = True
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(BaseException):
                await task


async def _wrap(future: asyncio.Future[None]) -> None:
    await future


def _available_gb() -> float:
    import psutil

    return psutil.virtual_memory().available / 2**30


async def ramp(kind: str, steps: tuple[int, ...], think_scale: float) -> dict[str, Any]:
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=1000)
    server = common.start_bare(preheat=False) if kind == "bare" else common.start_ours(preheat=True)
    result: dict[str, Any] = {"steps": [], "stopped_because": "largest step reached"}
    try:
        learner_ids: list[str] = []
        if kind == "ours":
            assert server.data_dir is not None
            learner_ids = common.make_learners(server.data_dir, max(steps), prefix="Tải thử")
        pools = 2 if kind == "ours" else 0  # the learner configuration pools two home kernels
        server.settle(kernels=pools, timeout=180)
        idle = server.rss(proportional=True)
        result["idle_rss"] = idle
        common.log(f"load {kind}: idle {idle}")
        site = Site(kind, server, learner_ids, think_scale)
        try:
            for target in steps:
                if _available_gb() < MEMORY_RESERVE_GB:
                    result["stopped_because"] = f"less than {MEMORY_RESERVE_GB} GB of memory left"
                    break
                await site.grow(target)
                await asyncio.sleep(5 * think_scale)
                start = time.perf_counter()
                while True:
                    await asyncio.sleep(5)
                    elapsed = time.perf_counter() - start
                    samples = site.stats.answers_between(start, time.perf_counter())
                    if elapsed >= WINDOW_MAX_S or (
                        elapsed >= WINDOW_MIN_S and len(samples) >= WINDOW_MIN_SAMPLES
                    ):
                        break
                end = time.perf_counter()
                rtts = site.stats.answers_between(start, end)
                finite = [x for x in rtts if x != float("inf")]
                pages = site.stats.pages_between(start, end)
                rss = server.rss(proportional=True)
                step = {
                    "learners": target,
                    "answers": len(rtts),
                    "timeouts": len(rtts) - len(finite),
                    "p95_ms": round(common.percentile(rtts, 95), 1) if rtts else None,
                    "median_ms": round(statistics.median(rtts), 1) if rtts else None,
                    "max_ms": round(max(finite), 1) if finite else None,
                    "pages_loaded": len(pages),
                    "page_median_s": round(statistics.median(pages), 2) if pages else None,
                    "window_s": round(end - start, 1),
                    "rss": rss,
                    "rss_per_learner_mb": round(rss["total_mb"] / target, 1),
                    "marginal_rss_per_learner_mb": round((rss["total_mb"] - idle["total_mb"]) / target, 1),
                    "pss_per_learner_mb": round(rss["pss_total_mb"] / target, 1),
                    "server_cpu_cores": round(server.cpu_busy(1.0), 2),
                    "loadavg": common.loadavg(),
                    "errors": len(site.stats.errors),
                }
                result["steps"].append(step)
                common.log(
                    f"load {kind} {target:4d} learners: p95 {step['p95_ms']} ms, "
                    f"median {step['median_ms']} ms, "
                    f"{len(rtts)} answers, {len(pages)} pages (median {step['page_median_s']} s), "
                    f"RSS {rss['total_mb']:.0f} MB ({step['rss_per_learner_mb']} MB/learner), "
                    f"load {step['loadavg']}"
                )
                over = [s["p95_ms"] is not None and s["p95_ms"] > THRESHOLD_MS for s in result["steps"]]
                if len(over) >= CONFIRM and all(over[-CONFIRM:]):
                    result["stopped_because"] = f"p95 above {THRESHOLD_MS:g} ms at {CONFIRM} steps in a row"
                    break
        finally:
            await site.stop()
        result["errors"] = site.stats.errors[:20]
        result["error_count"] = len(site.stats.errors)
    finally:
        server.stop()
    result.update(capacity(result["steps"]))
    return result


def capacity(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """Learners at which p95 crosses the threshold for good: the first step over it that the
    next step confirms (or the last step), interpolated from the step under it just before;
    a lower bound when it never crossed."""
    measured = [s for s in steps if s["p95_ms"] is not None]
    for index, step in enumerate(measured):
        if step["p95_ms"] <= THRESHOLD_MS:
            continue
        following = measured[index + 1 : index + CONFIRM]
        if any(s["p95_ms"] <= THRESHOLD_MS for s in following):
            continue  # a blip, not the crossing
        if index == 0:
            return {
                "capacity": step["learners"],
                "capacity_kind": "at or below the first step",
                "at_step": step,
            }
        below = measured[index - 1]
        n1, p1, n2, p2 = below["learners"], below["p95_ms"], step["learners"], step["p95_ms"]
        estimate = n1 + (THRESHOLD_MS - p1) * (n2 - n1) / (p2 - p1) if p2 != float("inf") else n1
        return {
            "capacity": round(estimate, 1),
            "capacity_kind": "interpolated",
            "bracket": [n1, n2],
            "at_step": below,
        }
    if not measured:
        return {"capacity": None, "capacity_kind": "no measurement", "at_step": None}
    last_under = [s for s in measured if s["p95_ms"] <= THRESHOLD_MS]
    at = last_under[-1] if last_under else measured[-1]
    return {"capacity": at["learners"], "capacity_kind": "lower bound (never crossed)", "at_step": at}


def memory_comparison(bare: list[dict[str, Any]], ours: list[dict[str, Any]]) -> dict[str, Any]:
    """Memory per learner at the largest number of learners both sites were measured with:
    the growth over the idle server per learner (RSS; the verdict), the whole tree per
    learner (RSS, includes the server and our two pooled home kernels) and PSS per learner."""
    common_n = sorted({s["learners"] for s in bare} & {s["learners"] for s in ours})
    if not common_n:
        return {}
    n = common_n[-1]
    b = next(s for s in bare if s["learners"] == n)
    o = next(s for s in ours if s["learners"] == n)
    return {
        "memory_at_learners": n,
        "memory_marginal_mb": {
            "bare": b["marginal_rss_per_learner_mb"],
            "ours": o["marginal_rss_per_learner_mb"],
        },
        "memory_total_mb": {"bare": b["rss_per_learner_mb"], "ours": o["rss_per_learner_mb"]},
        "memory_pss_mb": {"bare": b.get("pss_per_learner_mb"), "ours": o.get("pss_per_learner_mb")},
        "memory_ratio": common.ratio(o["marginal_rss_per_learner_mb"], b["marginal_rss_per_learner_mb"]),
        "memory_ratio_total": common.ratio(o["rss_per_learner_mb"], b["rss_per_learner_mb"]),
        "memory_ratio_pss": common.ratio(o.get("pss_per_learner_mb"), b.get("pss_per_learner_mb")),
    }


def run(
    steps: tuple[int, ...] = STEPS, think_scale: float = 1.0, kinds: tuple[str, ...] = ("bare", "ours")
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "definition": __doc__.split("\n\n", 1)[1].strip(),
        "threshold_ms": THRESHOLD_MS,
        "think_s": {"read": READ, "think": THINK, "pick": PICK, "next": NEXT, "scale": think_scale},
        "loadavg_start": common.loadavg(),
    }
    for kind in kinds:
        started = time.monotonic()
        result[kind] = asyncio.run(ramp(kind, steps, think_scale))
        result[kind]["duration_s"] = round(time.monotonic() - started)
    if "bare" in result and "ours" in result:
        b, o = result["bare"], result["ours"]
        if b.get("capacity") and o.get("capacity"):
            result["capacity_ratio"] = round(o["capacity"] / b["capacity"], 2)
        result.update(memory_comparison(b.get("steps", []), o.get("steps", [])))
    result["loadavg_end"] = common.loadavg()
    return result


if __name__ == "__main__":
    common.prioritise()
    import argparse

    parser = argparse.ArgumentParser(description="capacity under a protocol-level load")
    parser.add_argument("--steps", default=",".join(map(str, STEPS)))
    parser.add_argument("--think-scale", type=float, default=1.0)
    parser.add_argument("--kinds", default="bare,ours")
    args = parser.parse_args()
    data = run(tuple(int(s) for s in args.steps.split(",")), args.think_scale, tuple(args.kinds.split(",")))
    common.write_section("load", data)
    print(
        json.dumps(
            {
                k: {kk: vv for kk, vv in v.items() if kk != "steps"}
                for k, v in data.items()
                if isinstance(v, dict)
            },
            indent=1,
            default=str,
        )
    )
