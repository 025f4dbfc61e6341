"""Error pages, and the health check that load balancers and the benchmarks call."""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        """For load balancers and monitoring; also the benchmarks' hello-world baseline."""
        return Response("ok\n", mimetype="text/plain")

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_template("errors/csrf.html", reason=error.description), 400

    @app.errorhandler(404)
    def _not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(429)
    def _too_many(error):
        return render_template("errors/429.html"), 429
