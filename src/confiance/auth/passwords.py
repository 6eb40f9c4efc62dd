"""Password hashing (argon2id, the library's recommended parameters) and one-time passwords."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from confiance.core.errors import ConfianceError

MIN_LENGTH = 10
"""The shortest password accepted; longer passphrases are better."""
MAX_LENGTH = 1024
"""The longest accepted (hashing an unbounded input is a denial-of-service vector)."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_strength(password: str) -> None:
    """E610 when ``password`` is too short, too long or blank."""
    if len(password.strip()) < MIN_LENGTH or len(password) > MAX_LENGTH:
        raise ConfianceError("E610", minimum=MIN_LENGTH, maximum=MAX_LENGTH)


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (after :func:`check_strength`)."""
    check_strength(password)
    return _hasher().hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; never raises on a wrong password."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's defaults."""
    return _hasher().check_needs_rehash(password_hash)


DUMMY_HASH_INPUT = "not-a-real-password-used-to-keep-timing-even"


@cache
def dummy_hash() -> str:
    """A hash to verify against when the e-mail is unknown, so that a failed sign-in takes as
    long whether or not the account exists."""
    return _hasher().hash(DUMMY_HASH_INPUT)


def one_time_password() -> str:
    """A random password printed once (first owner, demo login); 16 URL-safe characters."""
    return secrets.token_urlsafe(12)
