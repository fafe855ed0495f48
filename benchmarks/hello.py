"""The yardstick of bench_pages.py: the smallest Flask app, served by the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, world!"
