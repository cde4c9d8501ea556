"""Imports every context's store so that the one metadata knows every table."""

from bluelamp.audit import store as _audit  # noqa: F401
from bluelamp.chat import store as _chat  # noqa: F401
from bluelamp.contact import store as _contact  # noqa: F401
from bluelamp.crime import store as _crime  # noqa: F401
from bluelamp.db import rate as _rate  # noqa: F401
from bluelamp.db.base import Base
from bluelamp.identity import store as _identity  # noqa: F401
from bluelamp.jobs import store as _jobs  # noqa: F401
from bluelamp.location import store as _location  # noqa: F401
from bluelamp.performance import store as _performance  # noqa: F401
from bluelamp.response import store as _response  # noqa: F401
from bluelamp.telephony import store as _telephony  # noqa: F401
from bluelamp.victims import portal_store as _portal  # noqa: F401
from bluelamp.victims import store as _victims  # noqa: F401

metadata = Base.metadata
