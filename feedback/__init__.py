"""Lắng Nghe: citizens' feedback to local government. The application factory lives here."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type = Config, **overrides) -> Flask:
    """Build the application: configuration, extensions, blueprints, error handlers."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "feedback" / "static"), instance_path=str(ROOT / "instance"))
    app.config.from_object(config_class)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production (APP_ENV=production).")
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from feedback import core
    from feedback.accounts.cli import users_cli
    from feedback.accounts.views import bp as accounts_bp
    from feedback.agencies.cli import agencies_cli
    from feedback.agencies.views import bp as agencies_bp
    from feedback.api import models as api_models  # noqa: F401  (tables the API owns)
    from feedback.api.admin_views import bp as api_keys_bp
    from feedback.api.cli import api_keys_cli
    from feedback.api.views import bp as api_bp
    from feedback.core.cli import translate_cli
    from feedback.core.rate_limits import check_rate_limit_storage
    from feedback.core.views import bp as core_bp
    from feedback.dashboards.accountability_views import bp as accountability_bp
    from feedback.dashboards.views import bp as dashboards_bp
    from feedback.demo.cli import seed_demo_command
    from feedback.dialogues.cli import dialogues_cli, purge_personal_data_command
    from feedback.dialogues.manage.views import bp as dialogue_manage_bp
    from feedback.dialogues.petitions.views import bp as petitions_bp
    from feedback.dialogues.track_views import bp as track_bp
    from feedback.dialogues.views import bp as dialogues_bp
    from feedback.extensions import (
        babel,
        compress,
        csrf,
        db,
        enable_wal,
        limiter,
        login_manager,
        migrate,
        ping_when_idle,
        prepare_sqlite,
    )
    from feedback.notifications.cli import notifications_cli
    from feedback.surveys.cli import surveys_cli
    from feedback.surveys.code_views import bp as survey_codes_bp
    from feedback.surveys.deployments.views import bp as deployments_bp
    from feedback.surveys.manage.views import bp as survey_manage_bp
    from feedback.surveys.responses.views import bp as responses_bp
    from feedback.surveys.views import bp as surveys_bp
    from feedback.transparency.views import bp as transparency_bp

    prepare_sqlite(app)
    db.init_app(app)
    enable_wal(app)
    ping_when_idle(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=core.i18n.select_locale,
                   timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])
    csrf.init_app(app)
    compress.init_app(app)
    check_rate_limit_storage(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    core.init_app(app)

    for blueprint in (core_bp, accounts_bp, agencies_bp, surveys_bp, dashboards_bp, responses_bp,
                      deployments_bp, survey_codes_bp, api_bp, api_keys_bp, survey_manage_bp,
                      dialogues_bp, track_bp, dialogue_manage_bp, petitions_bp, accountability_bp,
                      transparency_bp):
        app.register_blueprint(blueprint)
    for group in (users_cli, agencies_cli, surveys_cli, translate_cli, seed_demo_command, api_keys_cli,
                  dialogues_cli, purge_personal_data_command, notifications_cli):
        app.cli.add_command(group)
    return app
