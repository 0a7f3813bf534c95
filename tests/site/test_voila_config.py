"""The Voilà configuration files, read as traitlets does (no server started)."""

from __future__ import annotations

import re

import pytest
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from widgets.site.launch import CONFIG_ROOT, REPO

SENSITIVE = [
    "home.ipynb",
    "sub/02-tong-quan.ipynb",
    "helper.py",
    "README.md",
    "course.yml",
    "units.yaml",
    "settings.json",
    "progress.sqlite",
    "progress.sqlite-wal",
    "progress.sqlite-shm",
    "progress.sqlite-journal",
    "records.db",
    "records.db-journal",
    ".env",
    "var/records.sqlite",
    "drawing.svg",
]
IMAGES = ["figure.png", "img/photo.JPG", "a.jpeg", "b.gif", "c.webp"]


def load(mode: str, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("NEUGUONG_TRAINER_TOKEN", "a-trainer-token-for-tests")
    monkeypatch.delenv("NEUGUONG_PREHEAT", raising=False)
    return PyFileConfigLoader("voila.py", path=str(CONFIG_ROOT / mode)).load_config()


def served(config: Config, path: str) -> bool:
    """Voilà's AllowListFileHandler rule: fullmatch an allow pattern and no deny pattern."""
    conf = config.VoilaConfiguration
    allowed = any(re.fullmatch(p, path, re.IGNORECASE) for p in conf.file_allowlist)
    denied = any(re.fullmatch(p, path, re.IGNORECASE) for p in conf.file_denylist)
    return allowed and not denied


@pytest.mark.parametrize("mode", ["learner", "kiosk", "trainer"])
def test_every_mode_is_hardened(mode: str, monkeypatch: pytest.MonkeyPatch):
    config = load(mode, monkeypatch)

    assert config.Voila.ip == "127.0.0.1"
    assert config.Voila.port_retries == 0
    assert config.VoilaConfiguration.template == "neuguong"
    assert config.VoilaConfiguration.allow_template_override == "NO"
    assert config.VoilaConfiguration.allow_theme_override == "NO"
    assert config.VoilaConfiguration.show_tracebacks is False
    assert config.MappingKernelManager.allow_tracebacks is False
    assert config.MappingKernelManager.cull_connected is True
    assert config.MappingKernelManager.cull_idle_timeout > 0
    assert config.VoilaExecutor.iopub_timeout >= 30
    assert "timeout" not in config.VoilaExecutor  # would kill a preheated page's first cell
    assert config.Voila.tornado_settings["allow_remote_access"] is False
    assert set(config.VoilaConfiguration.extension_allowlist) == {
        "@jupyter-widgets/jupyterlab-manager",
        "@voila-dashboards/widgets-manager8",
    }
    assert "http" not in config.Voila.tornado_settings["headers"]["Content-Security-Policy"]
    assert [p for p in SENSITIVE if served(config, p)] == []
    assert [p for p in IMAGES if not served(config, p)] == []


def test_learner_and_kiosk_serve_learner_notebooks_only(monkeypatch: pytest.MonkeyPatch):
    learner, kiosk = load("learner", monkeypatch), load("kiosk", monkeypatch)

    assert learner.Voila.root_dir == kiosk.Voila.root_dir == str(REPO / "notebooks" / "learner")
    assert learner.Voila.port == kiosk.Voila.port == 8866


def test_kiosk_caps_kernels_and_culls_sooner(monkeypatch: pytest.MonkeyPatch):
    learner, kiosk = load("learner", monkeypatch), load("kiosk", monkeypatch)

    assert kiosk.VoilaConfiguration.multi_kernel_manager_class.endswith("CappedMappingKernelManager")
    assert kiosk.CappedMappingKernelManager.max_kernels > 0
    assert kiosk.MappingKernelManager.cull_idle_timeout < learner.MappingKernelManager.cull_idle_timeout
    assert kiosk.VoilaConfiguration.resources["neuguong"]["idle_reset_seconds"] == 180


def test_trainer_has_its_own_root_port_and_token(monkeypatch: pytest.MonkeyPatch):
    config = load("trainer", monkeypatch)

    assert config.Voila.root_dir == str(REPO / "notebooks" / "trainer")
    assert config.Voila.port == 8867
    assert config.Voila.token == "a-trainer-token-for-tests"


def test_trainer_config_stops_without_token(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NEUGUONG_TRAINER_TOKEN", raising=False)

    with pytest.raises(SystemExit, match="NEUGUONG_TRAINER_TOKEN"):
        PyFileConfigLoader("voila.py", path=str(CONFIG_ROOT / "trainer")).load_config()


def test_preheat_pools_only_the_home_page(monkeypatch: pytest.MonkeyPatch):
    config = load("learner", monkeypatch)

    assert config.VoilaConfiguration.preheat_kernel is True
    pools = config.VoilaKernelManager.kernel_pools_config
    assert pools["default"]["pool_size"] == 0
    assert pools["home.ipynb"]["pool_size"] >= 1

    monkeypatch.setenv("NEUGUONG_PREHEAT", "0")
    config = PyFileConfigLoader("voila.py", path=str(CONFIG_ROOT / "learner")).load_config()
    assert config.VoilaConfiguration.preheat_kernel is False


@pytest.mark.parametrize(("mode", "home"), [("learner", "home"), ("kiosk", "home"), ("trainer", "dashboard")])
def test_each_modes_home_is_a_notebook_it_serves(mode: str, home: str, monkeypatch: pytest.MonkeyPatch):
    config = load(mode, monkeypatch)

    path = config.VoilaConfiguration.resources["neuguong"]["home"]
    assert path == f"voila/render/{home}.ipynb"
    assert (REPO / config.Voila.root_dir / path.removeprefix("voila/render/")).is_file()


@pytest.mark.parametrize("mode", ["learner", "kiosk", "trainer"])
def test_responses_are_compressed(mode: str, monkeypatch: pytest.MonkeyPatch):
    assert load(mode, monkeypatch).Voila.tornado_settings["compress_response"] is True
