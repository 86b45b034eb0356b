from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.from_prefixed_env()

    from app import orders

    app.register_blueprint(orders.bp)
    return app
