"""``python -m widgets.site``: the kit's Voilà (:mod:`widgets.site.app`), as ``neuguong serve`` runs it.

A package ``__main__`` (not ``python -m widgets.site.app``): the kernel fork server never
re-imports it, so kernels are still forked (see ``widgets.site.forking.main_is_reimported``).
"""

from widgets.site.app import main

if __name__ == "__main__":
    main()
