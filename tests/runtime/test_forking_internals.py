"""The jupyter_client, ipykernel and CPython internals ``widgets/site/forking.py`` relies on.

The forking provisioner is a server-side shim (it stays in ``widgets/site/``); its fence test
sits with the kernel side's in ``tests/runtime/`` so that one folder says what an upgrade of
jupyter_client, ipykernel, ipywidgets or Python can break. Each test names what it checks and
fails with the package and version that no longer has it.
"""

from __future__ import annotations

import ast
import inspect
import multiprocessing.process
import textwrap
from importlib.metadata import version

import ipywidgets
from ipykernel.kernelapp import IPKernelApp
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from widgets.site.forking import ForkedKernel, ForkingProvisioner

WINDOWS_ONLY = {"win32_interrupt_event"}
"""Read by ``LocalProvisioner.send_signal`` on Windows only, where nothing is forked."""


def gone(package: str, what: str) -> str:
    return (
        f"{package} {version(package)} no longer has {what}, which widgets/site/forking.py relies on: "
        f"adapt the shim (and its test) before raising {package}'s upper pin in pyproject.toml"
    )


def _method_tree(cls: type, name: str) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(getattr(cls, name))))


def _process_attributes(cls: type) -> set[str]:
    """Every attribute ``cls``'s source reads on ``self.process`` (directly or via getattr)."""
    used: set[str] = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(cls)))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "process"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "self"
        ):
            used.add(node.attr)
        if (
            isinstance(node, ast.For)
            and "getattr(self.process" in ast.unparse(node)
            and isinstance(node.iter, ast.List | ast.Tuple)
        ):
            used |= {item.value for item in node.iter.elts if isinstance(item, ast.Constant)}
    return used


def test_local_provisioner_uses_only_what_a_forked_kernel_offers() -> None:
    """``ForkingProvisioner`` hands ``LocalProvisioner`` a ``ForkedKernel`` as its
    ``self.process`` (a duck-typed ``subprocess.Popen``): every attribute LocalProvisioner reads
    on it must exist there."""
    used = _process_attributes(LocalProvisioner) - WINDOWS_ONLY
    assert used, gone(
        "jupyter_client", "LocalProvisioner.process (no self.process.<attribute> in its source)"
    )
    offered = set(dir(ForkedKernel)) | {"pid"}  # pid: set in ForkedKernel.__init__
    missing = sorted(used - offered)
    assert not missing, gone(
        "jupyter_client", f"a LocalProvisioner that only uses {sorted(used)} (new: {missing})"
    )


def test_local_provisioner_keeps_the_state_our_launch_kernel_sets() -> None:
    """``ForkingProvisioner.launch_kernel`` replaces LocalProvisioner's and sets the same
    attributes (``process``, ``pid``, ``pgid``, ``cwd``): a new one set upstream would be missing."""
    for name in ("process", "pid", "pgid", "cwd"):
        assert hasattr(LocalProvisioner, name), gone("jupyter_client", f"LocalProvisioner.{name}")
    assert inspect.iscoroutinefunction(LocalProvisioner.launch_kernel), gone(
        "jupyter_client", "an async LocalProvisioner.launch_kernel"
    )
    assert inspect.iscoroutinefunction(LocalProvisioner.pre_launch), gone(
        "jupyter_client", "an async LocalProvisioner.pre_launch"
    )
    assert "connection_info" in LocalProvisioner.class_traits() or hasattr(
        LocalProvisioner, "connection_info"
    )

    def assigned(cls: type) -> set[str]:
        names: set[str] = set()
        for node in ast.walk(_method_tree(cls, "launch_kernel")):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    for item in ast.walk(target):
                        if isinstance(item, ast.Attribute) and ast.unparse(item.value) == "self":
                            names.add(item.attr)
        return names

    upstream, ours = assigned(LocalProvisioner), assigned(ForkingProvisioner)
    assert upstream <= ours, gone(
        "jupyter_client",
        f"a LocalProvisioner.launch_kernel that sets only {sorted(ours)} (it sets {sorted(upstream)})",
    )


def test_cpython_still_records_the_folder_it_started_in() -> None:
    """``_run_kernel`` drops ``multiprocessing.process.ORIGINAL_DIR`` (private: the cwd when
    multiprocessing was imported) from ``sys.path``, as ``ipykernel_launcher`` does for its own."""
    original = getattr(multiprocessing.process, "ORIGINAL_DIR", None)
    assert isinstance(original, str), (
        "this Python no longer has multiprocessing.process.ORIGINAL_DIR, which "
        "widgets/site/forking.py (_run_kernel) relies on: adapt the shim"
    )


def test_ipykernel_takes_the_parent_handle_and_ipywidgets_registers_its_comm_targets() -> None:
    """A forked kernel starts ``IPKernelApp`` with ``--IPKernelApp.parent_handle`` (so it exits
    with the fork server), and calls ``ipywidgets.load_ipython_extension`` (ipywidgets was
    imported before any kernel, so it missed its import-time comm target registration)."""
    assert "parent_handle" in IPKernelApp.class_traits(), gone("ipykernel", "IPKernelApp.parent_handle")
    assert callable(getattr(IPKernelApp, "instance", None)), gone("ipykernel", "IPKernelApp.instance()")
    assert callable(getattr(ipywidgets, "load_ipython_extension", None)), gone(
        "ipywidgets", "ipywidgets.load_ipython_extension"
    )
