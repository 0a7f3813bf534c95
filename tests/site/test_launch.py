"""``widgets.site.launch``: the voila command line and environment for each mode."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from widgets.cli import main
from widgets.site.launch import (
    CONFIG_ROOT,
    REPO,
    SHARE_JUPYTER,
    LaunchError,
    build_launch,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    return folder


def test_learner_launch_points_voila_at_the_config_and_template(root: Path, tmp_path: Path):
    spec = build_launch("learner", root_dir=root, data_dir=tmp_path / "data", environ={})

    assert spec.argv[1:3] == ("-m", "widgets.site")  # the kit's Voilà (widgets/site/app.py)
    assert f"--Voila.config_file_paths={CONFIG_ROOT / 'learner'}" in spec.argv
    assert f"--Voila.root_dir={root.resolve()}" in spec.argv
    assert spec.env["JUPYTER_PATH"].split(os.pathsep)[0] == str(SHARE_JUPYTER)
    assert (SHARE_JUPYTER / "voila" / "templates" / "neuguong" / "conf.json").is_file()
    assert spec.env["NEUGUONG_DATA"] == str((tmp_path / "data").resolve())
    assert spec.env["NEUGUONG_SITE_MODE"] == "learner"
    assert spec.env["TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR"] == "1"
    assert (tmp_path / "data").is_dir()


def test_port_and_ip_override_the_config(root: Path, tmp_path: Path):
    spec = build_launch(
        "kiosk", port=9000, ip="127.0.0.2", root_dir=root, data_dir=tmp_path / "d", environ={}
    )

    assert "--Voila.port=9000" in spec.argv
    assert "--Voila.ip=127.0.0.2" in spec.argv


def test_existing_jupyter_path_is_kept_after_ours(root: Path, tmp_path: Path):
    spec = build_launch("learner", root_dir=root, data_dir=tmp_path / "d", environ={"JUPYTER_PATH": "/x"})

    assert spec.env["JUPYTER_PATH"] == os.pathsep.join([str(SHARE_JUPYTER), "/x"])


def test_data_folder_comes_from_the_environment(root: Path, tmp_path: Path):
    spec = build_launch("learner", root_dir=root, environ={"NEUGUONG_DATA": str(tmp_path / "e")})

    assert spec.data_dir == (tmp_path / "e").resolve()


def test_default_data_folder_is_var_outside_the_served_root():
    spec = build_launch("learner", environ={})

    assert spec.data_dir == REPO / "var"
    assert spec.root_dir == REPO / "notebooks" / "learner"


def test_data_folder_inside_the_served_root_is_refused(root: Path):
    with pytest.raises(LaunchError, match="must not be inside"):
        build_launch("learner", root_dir=root, data_dir=root / "var", environ={})


def test_trainer_needs_a_token(root: Path, tmp_path: Path):
    with pytest.raises(LaunchError, match="NEUGUONG_TRAINER_TOKEN"):
        build_launch("trainer", root_dir=root, data_dir=tmp_path / "d", environ={})
    with pytest.raises(LaunchError, match="NEUGUONG_TRAINER_TOKEN"):
        build_launch(
            "trainer",
            root_dir=root,
            data_dir=tmp_path / "d",
            environ={"NEUGUONG_TRAINER_TOKEN": "short"},
        )

    spec = build_launch(
        "trainer",
        root_dir=root,
        data_dir=tmp_path / "d",
        environ={"NEUGUONG_TRAINER_TOKEN": "a-long-enough-token"},
    )
    assert f"--Voila.config_file_paths={CONFIG_ROOT / 'trainer'}" in spec.argv


def test_unknown_mode_is_refused():
    with pytest.raises(LaunchError, match="unknown mode"):
        build_launch("admin", environ={})


def test_serve_command_dry_run(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    assert (
        main(["serve", "--mode", "kiosk", "--port", "8900", "--data", str(tmp_path / "d"), "--dry-run"]) == 0
    )

    out = capsys.readouterr().out
    assert "-m widgets.site" in out and "--Voila.port=8900" in out
    assert f"NEUGUONG_DATA={(tmp_path / 'd').resolve()}" in out


def test_serve_command_reports_a_missing_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("NEUGUONG_TRAINER_TOKEN", raising=False)

    assert main(["serve", "--mode", "trainer", "--dry-run"]) == 2
    assert "NEUGUONG_TRAINER_TOKEN" in capsys.readouterr().err


def test_preheated_kernels_reach_a_non_loopback_server(root: Path, tmp_path: Path):
    spec = build_launch("learner", ip="10.0.0.5", root_dir=root, data_dir=tmp_path / "d", environ={})
    assert spec.env["VOILA_APP_IP"] == "10.0.0.5"

    spec = build_launch("learner", ip="0.0.0.0", root_dir=root, data_dir=tmp_path / "d", environ={})
    assert "VOILA_APP_IP" not in spec.env


def test_the_app_runs_as_a_package_main_so_kernels_can_still_be_forked():
    """``python -m widgets.site`` runs ``widgets/site/__main__.py``: the fork server never
    re-imports a package's ``__main__`` (``forking.main_is_reimported``), a module's it would."""
    import importlib.util

    from widgets.site.launch import APP_MODULE

    spec = importlib.util.find_spec(f"{APP_MODULE}.__main__")
    assert spec is not None and spec.name.endswith(".__main__")
    assert "widgets.site.app" in Path(spec.origin or "").read_text(encoding="utf-8")
