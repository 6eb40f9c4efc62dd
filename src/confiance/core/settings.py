"""Settings, read from ``CONFIANCE_*`` environment variables (or a ``.env`` file).

Nothing is read at import time: build ``Settings()`` where it is needed and pass it on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from confiance.core.errors import ConfianceError

DEFAULT_SECRETS = frozenset({"", "changethis", "change-me", "secret", "dev-secret-key"})


def default_database_url() -> str:
    """The embedded default: a SQLite file in ``./var/confiance.db``."""
    return f"sqlite:///{Path('var') / 'confiance.db'}"


class Settings(BaseSettings):
    """Everything Confiance can be configured with; each field is documented in docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="CONFIANCE_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    """Where this instance runs; ``production`` refuses unsafe defaults."""

    database_url: str = Field(default_factory=default_database_url)
    """SQLAlchemy URL: ``sqlite:///PATH`` (default) or ``postgresql+psycopg://USER@HOST/DB``."""

    secret_key: str = "dev-secret-key"  # noqa: S105 - refused when env=production
    """Signs sessions and tokens; must be set to a long random value in production."""

    sentiment_model: str | None = None
    """A directory holding a Hugging Face sequence-classification model (ONNX or transformers)
    that scores sentiment instead of the built-in head, in every enrichment (``enrich``,
    ``import``, ``demo``, ``listen``, ``analyze``); brands' retrained heads then do not
    apply."""

    import_batch_size: int = Field(default=5000, ge=1, le=100_000)
    """Posts written per transaction during import."""

    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL"] = "NORMAL"
    """SQLite durability: NORMAL with WAL survives an application crash (kill -9)."""

    sqlite_cache_mb: int = Field(default=64, ge=2, le=16_384)
    """SQLite page cache per connection; index updates of large imports need it to stay fast."""

    database_pool_size: int = Field(default=20, ge=1, le=1000)
    """Connections each process keeps open for reuse (one pool per server worker or listener)."""

    database_pool_overflow: int = Field(default=10, ge=0, le=1000)
    """Extra connections a process may open beyond the pool in a burst, closed once returned."""

    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    """How long a web sign-in lasts without activity (each request extends it)."""

    login_failures_per_email: int = Field(default=5, ge=1, le=1000)
    """Failed sign-ins allowed per e-mail address in ``login_window_minutes``."""

    login_failures_per_ip: int = Field(default=20, ge=1, le=10_000)
    """Failed sign-ins allowed per client address in ``login_window_minutes``."""

    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    """The window over which failed sign-ins are counted."""

    smtp_host: str = "localhost"
    """The SMTP server alert e-mails go through."""

    smtp_port: int = Field(default=587, ge=1, le=65_535)
    """Its port (587: submission with STARTTLS; 25: a local relay)."""

    smtp_username: str = ""
    """The SMTP login; empty: send without authenticating (a local relay)."""

    smtp_password: SecretStr = SecretStr("")
    """The SMTP password; never logged, never shown."""

    smtp_starttls: bool = True
    """Upgrade the SMTP connection with STARTTLS (the certificate is verified) before sending."""

    smtp_from: str = "confiance@localhost"
    """The sender address of alert e-mails."""

    notify_timeout_s: float = Field(default=10.0, gt=0, le=300)
    """How long one SMTP or webhook delivery may take before it counts as failed."""

    alert_digest_hour: int = Field(default=8, ge=0, le=23)
    """The local hour (in each rule's time zone, UTC if it has none) at which digests go out."""

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.env == "production" and (
            self.secret_key in DEFAULT_SECRETS or len(self.secret_key) < 32
        ):
            raise ConfianceError("E103")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies are sent over HTTPS only (in production: serve behind TLS)."""
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")
