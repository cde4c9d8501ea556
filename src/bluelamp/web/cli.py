"""`bluelamp serve`: migrate, seed the demo force if asked, serve the app."""

from __future__ import annotations

import importlib.util
import sys

import typer

from bluelamp.cliutil import database, fail


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port to listen on."),
        demo: bool = typer.Option(False, "--demo", help="Seed the demo force if the database is empty."),
    ) -> None:
        """Migrate the database, seed the demo force if --demo and it is empty, and serve."""
        import uvicorn

        from bluelamp.config import ConfigError, get_settings
        from bluelamp.policy import PolicyError
        from bluelamp.web.app import create_app

        try:
            get_settings().resolved_secret_key()
        except ConfigError as exc:
            fail(str(exc))
        if demo and get_settings().is_production:
            fail("--demo (public passwords) is refused with BLUELAMP_ENV=production")
        db = database()
        if demo:
            if importlib.util.find_spec("bluelamp.synth.demo") is None:
                fail("the demo force is not available in this build")
            from bluelamp.synth.demo import seed_if_empty

            print("bluelamp: preparing the demo force (recent weeks first)...", file=sys.stderr, flush=True)
            # One week first keeps start-up under half a minute; the rest of the year fills in behind.
            seed_if_empty(db, recent_days=7)
        try:
            web_app = create_app(db, run_jobs=get_settings().run_jobs_in_server, migrate=False)
        except PolicyError as exc:
            fail(f"policy: {exc}")
        web_app.state.demo = demo
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        print(f"bluelamp is running: open http://{shown}:{port}/", file=sys.stderr, flush=True)
        if demo:
            print("  sign in as handler / bluelamp-demo (also supervisor, dispatcher, analyst, admin)",
                  file=sys.stderr, flush=True)
        from bluelamp.web.limits import uvicorn_options

        # X-Forwarded-For / -Proto are believed only from the proxies named in BLUELAMP_TRUSTED_PROXIES
        # (uvicorn would otherwise trust them from loopback, and rate limits could be bypassed).
        trusted = get_settings().trusted_proxies.strip()
        uvicorn.run(web_app, host=host, port=port, log_level="warning", proxy_headers=bool(trusted),
                    forwarded_allow_ips=trusted or None, **uvicorn_options())
