"""Flask extensions and the media store, created here and bound to the app in create_app()."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .storage import MediaStore, Store


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def media_store(app: Flask | None = None) -> Store:
    """The media store of this app, made once: the bucket MEDIA_STORE names
    (GALLERY_MEDIA=s3://bucket/prefix), else the folder MEDIA_ROOT."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("gallery.media_store")
    if found is None:
        if app.config.get("MEDIA_STORE"):
            from .s3store import S3MediaStore  # boto3 is imported only by those who use it

            found = S3MediaStore(app.config["MEDIA_STORE"])
        else:
            found = MediaStore(app.config["MEDIA_ROOT"])
        app.extensions["gallery.media_store"] = found
    return found
