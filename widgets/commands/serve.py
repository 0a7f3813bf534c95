"""``neuguong serve [--mode learner|kiosk|trainer] [--port N] [--ip ADDR]``: start the site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from widgets.site.launch import MODES, LaunchError, build_launch, run


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="chạy trang học bằng Voilà (learner, kiosk hoặc trainer)",
        description="Chạy trang học. Cấu hình: deploy/voila/<mode>/voila.py; dữ liệu: "
        "$NEUGUONG_DATA hoặc var/; trainer cần $NEUGUONG_TRAINER_TOKEN.",
    )
    parser.add_argument("--mode", choices=MODES, default="learner", help="chế độ (mặc định: learner)")
    parser.add_argument("--port", type=int, help="cổng (mặc định theo cấu hình: 8866, trainer 8867)")
    parser.add_argument("--ip", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    parser.add_argument("--data", type=Path, help="thư mục dữ liệu (mặc định $NEUGUONG_DATA hoặc var/)")
    parser.add_argument(
        "--dry-run", action="store_true", help="chỉ in lệnh voila và biến môi trường, không chạy"
    )
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    try:
        spec = build_launch(args.mode, port=args.port, ip=args.ip, data_dir=args.data)
    except LaunchError as exc:
        print(f"neuguong serve: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(spec.describe())
        return 0
    run(spec)
    return 0  # not reached: run() replaces the process
