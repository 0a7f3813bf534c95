"""The kernel side's fence around Jupyter's and Voilà's internals (issue 19).

Everything a page's kernel needs from ipykernel, ipywidgets or Voilà beyond their documented
API lives here, each shim in one module, with a test in ``tests/runtime/`` that names the
private attribute it relies on and fails when an upgrade removes it:

- :mod:`~widgets.runtime.publish`: run a marker on ipykernel's IOPub thread, so a verdict
  leaves before the handler's heavy work (and the verdict's head start, a setting);
- :mod:`~widgets.runtime.sync`: the input barrier, in front of ipywidgets' ``Widget._handle_msg``;
- :mod:`~widgets.runtime.request`: Voilà's request info for preheated kernels;
- :mod:`~widgets.runtime.mode`, :mod:`~widgets.runtime.kiosk`, :mod:`~widgets.runtime.lab` and
  :mod:`~widgets.runtime.hub`: what the environment says about where a kernel runs (the site's
  mode, a kiosk's idle time, Voilà or JupyterLab, the JupyterHub user).

Server-side shims (the forking provisioner, Unix sockets, the websocket handler) stay in
:mod:`widgets.site`, which may import this package; nothing here imports ``widgets.site`` or
``widgets.views``. Importing this package imports no Jupyter module.
"""
