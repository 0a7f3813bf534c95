#!/usr/bin/env python3
"""Start the learner site as one JupyterHub user's server, behind jupyter-standaloneproxy.

The spawner runs (see ``tljh/jupyterhub_config.d/neuguong.py`` and ``z2jh/values.yaml``)::

    jupyter-standaloneproxy --timeout=300 -- \\
        python3 /opt/neuguong/deploy/jupyterhub/neuguong_voila.py --port={port} --base-url={base_url}

jupyter-server-proxy's standalone proxy checks the Hub's OAuth, strips the user's prefix
(``/user/<name>``) and forwards to this Voilà on 127.0.0.1:{port}. Voilà is told the prefix
(``Voila.base_url``) so its links keep it, and serves at ``/`` (``Voila.server_url``).
Everything else is the learner configuration of the kit (``deploy/voila/learner/voila.py``, through
``widgets.site.launch.build_launch``), so the hardening (no ``execute_request``, no
tracebacks, file lockdown) is the same as on a standalone server.

Environment (set by the spawner): ``NEUGUONG_DB_URL`` (the shared PostgreSQL),
``NEUGUONG_DATA`` (a folder holding the installation's ``certificate-secret`` and
``identity-secret``, the same for every user: learner IDs are keyed by the latter),
``NEUGUONG_HOSTNAMES`` (the public host name, for Voilà's Host check),
``NEUGUONG_PREHEAT=0`` (one learner per server: a kernel pool would only add memory).

The learner is the Hub user: the spawner sets ``JUPYTERHUB_USER`` in this server's environment,
the site's kernels inherit it (``widgets/runtime/hub.py``), and no request can change it. The first
visit fills the profile (name, unit, role; no PIN); see ``deploy/README.md``.
"""

from __future__ import annotations

import argparse
import os
import sys


def base_url(prefix: str) -> str:
    """``/user/dan`` or ``/user/dan/`` → ``/user/dan/``; empty → ``/``."""
    inner = prefix.strip("/")
    return f"/{inner}/" if inner else "/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="the port the proxy chose")
    parser.add_argument(
        "--base-url",
        default=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"),
        help="the user's URL prefix (default $JUPYTERHUB_SERVICE_PREFIX)",
    )
    parser.add_argument("--data", default=os.environ.get("NEUGUONG_DATA"), help="default $NEUGUONG_DATA")
    parser.add_argument("--dry-run", action="store_true", help="print the voila command, do not start it")
    # The spawner appends its own options (--debug, --notebook-dir=..., ...) after the
    # command; they are meant for jupyterhub-singleuser, not for this site: ignored.
    args, ignored = parser.parse_known_args(argv)
    if ignored:
        print(f"neuguong_voila: ignoring the spawner's options {ignored}", file=sys.stderr)

    from widgets.site.launch import LaunchError, build_launch, run

    try:
        spec = build_launch(
            "learner",
            port=args.port,
            ip="127.0.0.1",
            data_dir=args.data,
            extra_args=(f"--Voila.base_url={base_url(args.base_url)}", "--Voila.server_url=/"),
        )
    except LaunchError as error:
        print(f"neuguong_voila: {error}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(spec.describe())
        return 0
    run(spec)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
