"""Training runs: a folder, the settings that made it and the model; opened (resumed or started) and trained.

The top of the house below the widgets and the CLI: notebooks, ``python -m ganlib train`` and the training
lab (through :class:`LiveRun`) all drive training through it::

    folder = runs.run_folder("runs/dcgan", gan, dataset, {"seed": 0})     # one folder per set of settings
    run = runs.open_run(folder, gan, dataset, settings={"seed": 0})       # resumes when it can
    runs.train(run, minutes=4, callbacks=[dashboard, gif])                 # Ctrl-C saves; run again resumes

* :mod:`ganlib.runs.identity` — a run's settings, their fingerprint, and refusing a folder of other settings;
* :mod:`ganlib.runs.run` — :class:`Run`, :func:`open_run` and :func:`train`; a run holds its folder
  (:mod:`ganlib.folder_lock`): a second process that trains there gets :class:`FolderInUseError`;
* :mod:`ganlib.runs.live` — :class:`LiveRun`: training in a background thread while knobs change (the
  training lab's engine); :mod:`ganlib.runs.lab_views` draws what the lab shows.
"""

from ganlib.folder_lock import FolderInUseError  # noqa: F401
from ganlib.runs.identity import (  # noqa: F401
    OtherSettingsError,
    check_folder,
    fingerprint,
    first_difference,
    read_settings,
    run_folder,
    settings_of,
)
from ganlib.runs.live import LIVE_KNOBS, LiveRun  # noqa: F401
from ganlib.runs.run import Run, open_run, train  # noqa: F401
