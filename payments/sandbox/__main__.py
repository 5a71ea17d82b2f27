"""python -m payments.sandbox --port 12111 [--webhook-url URL --webhook-secret whsec_...]"""

import argparse
import contextlib

from .app import Sandbox
from .server import make


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m payments.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", help="where events are POSTed, signed")
    parser.add_argument("--webhook-secret", help="the endpoint secret, whsec_...")
    parser.add_argument("--state", help="a JSON file that keeps the state across restarts")
    parser.add_argument(
        "--public-url",
        help="where browsers reach the hosted pages, if not at the address the API is called at",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if args.webhook_url and not (args.webhook_secret or "").startswith("whsec_"):
        parser.error("--webhook-url needs --webhook-secret whsec_...")
    sandbox = Sandbox(
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        state_path=args.state,
        public_url=args.public_url,
    )
    server = make(sandbox, host=args.host, port=args.port, verbose=args.verbose)
    print(f"Stripe sandbox on http://{args.host}:{server.server_port} (no real money)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
