"""`rasa run` with the API token from the environment, so it is not on the command line.

    RASA_TOKEN=... python -m rasa_addons.serve run --enable-api ...   # same arguments as `rasa`

/proc/<pid>/cmdline is readable by every user of the machine (and `ps` shows it); the
environment (/proc/<pid>/environ) only by the process's owner. The token is added to Rasa's
own argument list inside this process, which does not change what /proc shows.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    token = os.environ.get("RASA_TOKEN", "")
    if not token:
        sys.exit("rasa_addons.serve: set RASA_TOKEN (the API token) in the environment")
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()
