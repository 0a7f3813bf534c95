"""The browser console messages the browser tests allow: Voilà 0.5's version warnings.

Voilà 0.5 bundles JupyterLab 4.2.5's packages (its _JUPYTERLAB.CORE_OUTPUT share scope); the
prebuilt widget managers it loads (@jupyter-widgets/jupyterlab-manager from ipywidgets 8.1,
@voila-dashboards/widgets-manager8) were built against newer 4.x releases and declare
``^4.6.2``-style ranges for the same singletons. Webpack's module federation then warns once
per module ("Unsatisfied version 4.2.5 ... required ^4.6.2") and uses the 4.2.5 copy anyway:
same major version, the APIs the managers call exist in 4.2, and every widget test passes with
them. See deploy/voila/README.md ("Browser console"). Only these exact modules, provided by
Voilà's scope at the version Voilà 0.5 bundles, to a caret range of the same major, are allowed.
"""

from __future__ import annotations

import re

BUNDLED = {
    "@jupyterlab/console": "4.2.5",
    "@jupyterlab/coreutils": "6.2.5",
    "@jupyterlab/logconsole": "4.2.5",
    "@jupyterlab/mainmenu": "4.2.5",
    "@jupyterlab/notebook": "4.2.5",
    "@jupyterlab/outputarea": "4.2.5",
    "@jupyterlab/rendermime": "4.2.5",
    "@jupyterlab/services": "7.2.5",
    "@jupyterlab/settingregistry": "4.2.5",
    "@jupyterlab/statedb": "4.2.5",
    "@jupyterlab/translation": "4.2.5",
}
_UNSATISFIED = re.compile(
    r"Unsatisfied version (?P<have>\d+\.\d+\.\d+) from _JUPYTERLAB\.CORE_OUTPUT of shared "
    r"singleton module (?P<module>@jupyterlab/[a-z-]+) \(required \^(?P<major>\d+)\.\d+\.\d+\)"
)
# The one non-singleton among them (outputarea) is reported by the other webpack message.
_NO_SATISFYING = re.compile(
    r"No satisfying version \(\^(?P<major>\d+)\.\d+\.\d+\) of shared module "
    r"(?P<module>@jupyterlab/[a-z-]+) found in shared scope default\.\n"
    r"Available versions: (?P<have>\d+\.\d+\.\d+) from _JUPYTERLAB\.CORE_OUTPUT"
)


def known_harmless(text: str) -> bool:
    """Whether a console message is one of the version warnings described above."""
    for pattern in (_UNSATISFIED, _NO_SATISFYING):
        match = pattern.fullmatch(text)
        if match:
            have = match["have"]
            return BUNDLED.get(match["module"]) == have and have.split(".")[0] == match["major"]
    return False


def warned_modules(texts: list[str]) -> set[str]:
    """The modules named by the known-harmless warnings among ``texts``."""
    found = set()
    for text in texts:
        for pattern in (_UNSATISFIED, _NO_SATISFYING):
            match = pattern.fullmatch(text)
            if match and known_harmless(text):
                found.add(match["module"])
    return found
