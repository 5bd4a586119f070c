"""The extension objects, created once and bound to an app in create_app."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Constraint and index names the database gets when a model leaves them unnamed, the same on
# SQLite and PostgreSQL, so that a migration can name what it drops or alters. An index or
# constraint the models name themselves (ix_publication_current, ...) keeps its name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login = LoginManager()
login.login_view = "auth.login"
login.login_message = "Silakan masuk untuk membuka halaman ini."
login.login_message_category = "info"
babel = Babel()
