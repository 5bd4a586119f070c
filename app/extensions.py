"""The extension objects, created once and bound to an app in create_app."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login = LoginManager()
login.login_view = "auth.login"
login.login_message = "Silakan masuk untuk membuka halaman ini."
login.login_message_category = "info"
babel = Babel()
