"""The three Voilà configurations as real servers: config loading, trainer token, kiosk cap,
culling, refused execute_request and a burst of simultaneous page loads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest

from widgets.site.launch import CONFIG_ROOT, REPO, SHARE_JUPYTER

KERNEL_ID = re.compile(rb'"kernelId": "([0-9a-f-]{36})"')


def kernel_id_in(html: bytes) -> str:
    match = KERNEL_ID.search(html)
    assert match, "no kernel id in the page"
    return match.group(1).decode()


def test_shutdown_endpoint_still_checks_xsrf(learner_site):
    """The fix sends the token; the server keeps refusing requests without one."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        learner_site.url(f"voila/api/shutdown/{uuid.uuid4()}"), data=b"", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=30)
    assert err.value.code == 403


def test_config_file_without_token_refuses_to_start(tmp_path: Path):
    """Even started by hand, the trainer configuration stops Voilà without a token."""
    env = {k: v for k, v in os.environ.items() if k != "NEUGUONG_TRAINER_TOKEN"}
    env["JUPYTER_PATH"] = str(SHARE_JUPYTER)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "voila",
            f"--Voila.config_file_paths={CONFIG_ROOT / 'trainer'}",
            f"--Voila.root_dir={tmp_path}",
            "--Voila.port=1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "NEUGUONG_TRAINER_TOKEN" in result.stderr


def test_trainer_site_requires_its_token(start_voila):
    server = start_voila("trainer")

    for path in ("voila/tree", "voila/render/other.ipynb"):
        status, _, headers = server.request("GET", path, auth=False)
        assert status in (302, 403), (path, status)
        if status == 302:
            assert "/login" in headers["Location"]

    status, body = server.get("voila/render/other.ipynb")  # with the token
    assert status == 200
    assert server.shutdown_kernel(kernel_id_in(body)) == 204


def test_port_is_never_silently_changed(learner_site, start_voila, tmp_path: Path):
    """port_retries=0: a second server on a taken port exits instead of moving."""
    from widgets.site.launch import build_launch

    spec = build_launch(
        "learner",
        port=learner_site.port,
        root_dir=learner_site.root_dir,
        data_dir=tmp_path / "data",
        extra_args=("--VoilaConfiguration.preheat_kernel=False",),
    )
    result = subprocess.run(spec.argv, env=spec.env, capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode != 0
    assert "could not be started" in result.stderr + result.stdout


def test_kiosk_caps_kernels_and_says_so_in_vietnamese(start_voila):
    server = start_voila("kiosk", extra_args=("--CappedMappingKernelManager.max_kernels=3",))
    server.wait_for_kernels(lambda n: n == 1)  # the pooled home page

    pages = [server.get("voila/render/other.ipynb") for _ in range(2)]
    assert [status for status, _ in pages] == [200, 200]
    assert len(server.kernel_pids()) == 3

    status, body = server.get("voila/render/other.ipynb")
    assert status == 503
    assert "Máy đang phục vụ tối đa số người học" in body.decode("utf-8")
    assert len(server.kernel_pids()) == 3

    assert server.shutdown_kernel(kernel_id_in(pages[0][1])) == 204
    server.wait_for_kernels(lambda n: n == 2)
    status, body = server.get("voila/render/other.ipynb")
    assert status == 200
    for html in (pages[1][1], body):
        server.shutdown_kernel(kernel_id_in(html))


def test_idle_kernels_are_culled_but_not_the_pool(start_voila):
    server = start_voila(
        "kiosk",
        extra_args=(
            "--MappingKernelManager.cull_idle_timeout=4",
            "--MappingKernelManager.cull_interval=1",
        ),
    )
    server.wait_for_kernels(lambda n: n == 1)
    status, body = server.get("voila/render/other.ipynb")
    assert status == 200
    kernel_id = kernel_id_in(body)

    # The kernel process exits a moment before the server forgets the kernel id: wait for both.
    deadline = time.monotonic() + 30
    while server.get(f"api/kernels/{kernel_id}")[0] != 404 and time.monotonic() < deadline:
        time.sleep(0.5)

    assert server.get(f"api/kernels/{kernel_id}")[0] == 404
    assert server.wait_for_kernels(lambda n: n == 1, timeout=30) == 1  # the pooled home page stays
    assert "Culling" in server.log_tail(200)


def test_execute_request_over_the_websocket_is_refused(learner_site):
    import websocket

    status, body = learner_site.get("voila/render/other.ipynb")
    assert status == 200
    kernel_id = kernel_id_in(body)
    marker = learner_site.data_dir / "executed-by-websocket"
    session = uuid.uuid4().hex
    msg = {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": "execute_request",
            "session": session,
            "username": "x",
            "version": "5.3",
            "date": "2026-01-01T00:00:00Z",
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": f"open({str(marker)!r}, 'w').write('x')",
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
        },
        "channel": "shell",
        "buffers": [],
    }
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{learner_site.port}/api/kernels/{kernel_id}/channels?session_id={session}",
        origin=learner_site.base_url.rstrip("/"),
        timeout=30,
    )
    try:
        ws.send(json.dumps(msg))
        time.sleep(3)
    finally:
        ws.close()

    assert not marker.exists()
    assert 'Received message of type "execute_request", which is not allowed' in (learner_site.log_tail(400))
    assert learner_site.shutdown_kernel(kernel_id) == 204


def _module_notebook() -> Path | None:
    """A real module page of the site (a module renders far more than the test notebook)."""
    modules = sorted((REPO / "notebooks" / "learner").glob("[0-9][0-9]-*.ipynb"))
    return modules[1] if len(modules) > 1 else None


@pytest.mark.slow
def test_twenty_simultaneous_page_loads_keep_their_widgets(start_voila):
    """A room signing in at once on 2 cores: every page still carries its widgets.

    Measured with Voilà's default ``VoilaExecutor.iopub_timeout`` of 4 s: 19 of 20 module pages
    came back without their widgets ("Timeout waiting for IOPub output"); with ours, none.
    """
    module = _module_notebook()
    if module is None:
        pytest.skip("no module notebook in notebooks/learner yet")
    server = start_voila("learner", root_dir=module.parent, env={"NEUGUONG_PREHEAT": "0"})
    before = len(server.kernel_pids())  # the server may be shared with other tests

    # A page whose kernel dies while starting never ends (Voilà keeps sending heartbeats), so
    # the loads get a deadline: a failure, not a suite that hangs.
    pool = ThreadPoolExecutor(max_workers=20)
    futures = [pool.submit(server.get, f"voila/render/{module.name}") for _ in range(20)]
    _, late = wait(futures, timeout=300)
    pool.shutdown(wait=False, cancel_futures=True)
    assert not late, f"{len(late)} of 20 pages never finished:\n{server.log_tail(80)}"
    pages = [future.result() for future in futures]

    assert [status for status, _ in pages] == [200] * 20
    missing = [i for i, (_, html) in enumerate(pages) if b"widget-view+json" not in html]
    assert missing == []
    assert "Timeout waiting for IOPub" not in server.log_tail(2000)
    for _, html in pages:
        assert server.shutdown_kernel(kernel_id_in(html)) == 204
    assert server.wait_for_kernels(lambda n: n <= before) <= before
