"""Lắng Nghe: citizens' feedback to local government. The application factory lives here."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import APP_ENVIRONMENTS, DEVELOPMENT_SECRET_KEY, Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type = Config, **overrides) -> Flask:
    """Build the application: configuration, extensions, blueprints, error handlers."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "feedback" / "static"), instance_path=str(ROOT / "instance"))
    app.config.from_object(config_class)
    app.config.update(overrides)
    check_environment(app.config)
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_extensions(app)
    _register_features(app)
    return app


def _init_extensions(app: Flask) -> None:
    """Bind the extensions, the database's timeouts and the shared kernel to `app`."""
    from feedback import core
    from feedback.core.db_timeouts import limit_request_statements, prepare_connect_timeout
    from feedback.core.rate_limits import check_rate_limit_storage
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

    prepare_sqlite(app)
    prepare_connect_timeout(app)
    db.init_app(app)
    enable_wal(app)
    ping_when_idle(app)
    limit_request_statements(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=core.i18n.select_locale,
                   timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])
    csrf.init_app(app)
    compress.init_app(app)
    check_rate_limit_storage(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    core.init_app(app)


def _register_features(app: Flask) -> None:
    """The features: their blueprints, commands and the events that join them."""
    from feedback.accounts import setup as accounts_setup
    from feedback.accounts.cli import users_cli
    from feedback.accounts.views import bp as accounts_bp
    from feedback.admin import reorganize_cli  # noqa: F401  (merge, split, … on the agencies group)
    from feedback.admin.agencies import bp as agencies_bp
    from feedback.admin.procedures import bp as procedures_bp
    from feedback.admin.users import bp as user_admin_bp
    from feedback.agencies.cli import agencies_cli
    from feedback.agencies.kinds import kind_label
    from feedback.api import models as api_models  # noqa: F401  (tables the API owns)
    from feedback.api.admin_views import bp as api_keys_bp
    from feedback.api.cli import api_keys_cli
    from feedback.api.views import bp as api_bp
    from feedback.core.cli import translate_cli
    from feedback.core.events import agency_succeeded
    from feedback.core.proxy_pages import proxy_error_pages_command
    from feedback.core.views import bp as core_bp
    from feedback.counters.cli import officers_cli
    from feedback.counters.kiosk_views import bp as kiosk_bp
    from feedback.counters.manage_views import bp as counters_manage_bp
    from feedback.counters.messages import register_composers as register_counter_messages
    from feedback.counters.officers import move_to_successor
    from feedback.counters.public import bp as counters_bp
    from feedback.counters.rateset_views import bp as ratesets_manage_bp
    from feedback.dashboards import (  # noqa: F401
        attention_views,
        comment_views,
        counter_summary,
        counter_views,  # noqa: F401
        dimension_views,
        question_views,
        trend_views,
    )
    from feedback.dashboards import summary as dashboard_summary
    from feedback.dashboards.accountability_views import bp as accountability_bp
    from feedback.dashboards.report_cli import reports_cli
    from feedback.dashboards.report_messages import register_composers as register_report_messages
    from feedback.dashboards.views import bp as dashboards_bp
    from feedback.demo.cli import seed_demo_command
    from feedback.dialogues import succession as dialogue_succession
    from feedback.dialogues.cli import dialogues_cli, purge_personal_data_command
    from feedback.dialogues.manage.views import bp as dialogue_manage_bp
    from feedback.dialogues.messages import register_composers as register_dialogue_messages
    from feedback.dialogues.petitions.views import bp as petitions_bp
    from feedback.dialogues.track_views import bp as track_bp
    from feedback.dialogues.views import bp as dialogues_bp
    from feedback.home.views import bp as home_bp
    from feedback.notifications.cli import notifications_cli
    from feedback.surveys import succession as survey_succession
    from feedback.surveys.cli import surveys_cli
    from feedback.surveys.code_views import bp as survey_codes_bp
    from feedback.surveys.deployments.views import bp as deployments_bp
    from feedback.surveys.manage.views import bp as survey_manage_bp
    from feedback.surveys.responses.views import bp as responses_bp
    from feedback.surveys.views import bp as surveys_bp
    from feedback.transparency.views import bp as transparency_bp

    accounts_setup.init_app(app)
    dashboard_summary.subscribe()  # the summary follows the surveys' events
    register_dialogue_messages()  # the outbox writes the dialogues' messages
    survey_succession.subscribe()  # deployments end with a reorganized agency
    dialogue_succession.subscribe()  # open petitions move to its successor
    app.jinja_env.globals["agency_kind_label"] = kind_label  # kinds are data (agencies.kinds)
    counter_summary.subscribe()  # the counter summary follows the counter ratings
    register_counter_messages()  # the outbox writes the counter alert
    register_report_messages()  # the outbox writes the leaders' monthly report
    agency_succeeded.connect(move_to_successor)  # officers and kiosks follow their counter's successor
    for blueprint in (core_bp, home_bp, accounts_bp, agencies_bp, surveys_bp, dashboards_bp, responses_bp,
                      deployments_bp, survey_codes_bp, api_bp, api_keys_bp, survey_manage_bp,
                      dialogues_bp, track_bp, dialogue_manage_bp, petitions_bp, accountability_bp,
                      transparency_bp, user_admin_bp, counters_bp, kiosk_bp, counters_manage_bp,
                      ratesets_manage_bp, procedures_bp):
        app.register_blueprint(blueprint)
    for group in (users_cli, agencies_cli, surveys_cli, translate_cli, seed_demo_command, api_keys_cli,
                  dialogues_cli, purge_personal_data_command, notifications_cli, proxy_error_pages_command,
                  officers_cli, reports_cli):
        app.cli.add_command(group)


class ConfigurationError(RuntimeError):
    """The environment asks for something the app will not run with."""


def check_environment(config) -> None:
    """Refuse to start on an unknown APP_ENV, without a SECRET_KEY, or on the published
    development key outside development; each message says what to set."""
    env = config.get("APP_ENV", "")
    if env and env not in APP_ENVIRONMENTS:
        raise ConfigurationError(
            f"APP_ENV={env!r} is not a known environment: use one of {', '.join(APP_ENVIRONMENTS)} "
            "(lower case), or leave it unset for production.")
    if not config.get("SECRET_KEY"):
        raise ConfigurationError(
            "SECRET_KEY is not set. In production set SECRET_KEY to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))'); for a local development "
            "run set APP_ENV=development, which uses the published development key.")
    if config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY and env != "development":
        raise ConfigurationError(
            "SECRET_KEY is the development key published in config.py; it is accepted only with "
            "APP_ENV=development. Set SECRET_KEY to a long random value.")
