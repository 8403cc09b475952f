"""Everything a run needs, parsed and checked once, before any file is read or request sent.

Each front door has its reader: `command_line.settings_from_args` (the command line's
flags, plus ZENODO_TOKEN) and `action_inputs.settings_from_runner` (the runner's `INPUT_*`
and `GITHUB_*` variables). They build one class per mode (model.py), parse single values
with the shared parsers (values.py), and take every default from one table (defaults.py,
which action.yml's defaults match). Nothing below the front doors reads an input or the
environment again, so a bad input, whatever it is, fails there with its name in the message.
"""

from zenodo_action.settings.model import (
    ActionPublish,
    ArchiveFormat,
    Backfill,
    ConvertSettings,
    PublishSettings,
    ReleaseOptions,
    Settings,
    ValidateSettings,
    WriteBackOptions,
    WriteBackTarget,
    ZenodoSettings,
)

__all__ = [
    "ActionPublish",
    "ArchiveFormat",
    "Backfill",
    "ConvertSettings",
    "PublishSettings",
    "ReleaseOptions",
    "Settings",
    "ValidateSettings",
    "WriteBackOptions",
    "WriteBackTarget",
    "ZenodoSettings",
]
