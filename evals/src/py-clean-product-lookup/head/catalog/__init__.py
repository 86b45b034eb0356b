from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.from_prefixed_env()

    from catalog import views

    app.register_blueprint(views.bp)
    return app
