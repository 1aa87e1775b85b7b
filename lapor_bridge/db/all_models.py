"""Imports every model module so that ``Base.metadata`` knows every table (for Alembic)."""

from lapor_bridge.db import models  # noqa: F401
from lapor_bridge.db import models_jobs  # noqa: F401
from lapor_bridge.db import models_bot  # noqa: F401
from lapor_bridge.db import models_api  # noqa: F401
from lapor_bridge.db import models_sync  # noqa: F401
from lapor_bridge.db import models_stats  # noqa: F401
from lapor_bridge.db import models_federation  # noqa: F401
from lapor_bridge.db import models_places  # noqa: F401
