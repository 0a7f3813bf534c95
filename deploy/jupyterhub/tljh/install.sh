#!/usr/bin/env bash
# The Littlest JupyterHub (one server) running the Nêu gương learner site for every user.
#
# Run as root on a machine where TLJH is already installed
# (https://tljh.jupyter.org/en/latest/install/), with the kit checked out at $KIT:
#
#   sudo NEUGUONG_DB_URL='postgresql+psycopg://neuguong:...@db.example:5432/neuguong' \
#        NEUGUONG_HOSTNAMES='hoc.example.gov.vn' bash deploy/jupyterhub/tljh/install.sh
#
# PostgreSQL is the shared records store (one database for all users and all machines);
# put PgBouncer in front of it when more than ~100 users are on at once (each kernel opens
# its own connections). Sizing: deploy/README.md.
set -euo pipefail

KIT=${KIT:-/opt/neuguong}
TLJH=${TLJH:-/opt/tljh}
DATA=${NEUGUONG_DATA:-/srv/neuguong/data}
: "${NEUGUONG_DB_URL:?set NEUGUONG_DB_URL to the shared PostgreSQL (postgresql+psycopg://...)}"
: "${NEUGUONG_HOSTNAMES:?set NEUGUONG_HOSTNAMES to the public host name(s), comma separated}"

PROXY=${NEUGUONG_PROXY_ENV:-/opt/neuguong-proxy}

# 1. The kit, in the users' environment (editable: the site reads deploy/, notebooks/ and
#    share/ from the checkout).
"$TLJH/user/bin/pip" install --quiet -e "$KIT[postgres]"

# 2. The proxy that puts each user's Voilà behind the Hub's login, in its own environment:
#    jupyter-server-proxy's standalone mode (jupyter-standaloneproxy, since 4.5), with
#    jupyterhub at the Hub's major version for the OAuth hand-off.
HUB_MAJOR=$("$TLJH/hub/bin/python" -c 'import jupyterhub; print(jupyterhub.__version__.split(".")[0])')
python3 -m venv "$PROXY"
"$PROXY/bin/pip" install --quiet "jupyter-server-proxy[standalone]>=4.5,<5" \
    "jupyterhub==${HUB_MAJOR}.*"

# 3. The records store: create the schema once, and the installation's certificate secret,
#    readable by the users' servers (group jupyterhub-users), writable by nobody else.
install -d -m 0750 -o root -g jupyterhub-users "$DATA"
NEUGUONG_DATA="$DATA" NEUGUONG_DB_URL="$NEUGUONG_DB_URL" "$TLJH/user/bin/python" - <<'PY'
from pathlib import Path
import os
from widgets.records import certificates, identity
from widgets.records.store import open_store
data = Path(os.environ["NEUGUONG_DATA"])
certificates.load_secret(data)                # creates certificate-secret once
identity.load_secret(data)                    # creates identity-secret once
open_store()                                  # migrates the shared database to current
PY
for secret in certificate-secret identity-secret; do
    chgrp jupyterhub-users "$DATA/$secret"
    chmod 0640 "$DATA/$secret"
done

# 4. Settings read by the snippet (root only: it holds the database password).
umask 077
cat > "$TLJH/config/neuguong.env" <<ENV
NEUGUONG_DB_URL=$NEUGUONG_DB_URL
NEUGUONG_DATA=$DATA
NEUGUONG_HOSTNAMES=$NEUGUONG_HOSTNAMES
ENV
install -m 0644 "$KIT/deploy/jupyterhub/tljh/jupyterhub_config.d/neuguong.py" \
    "$TLJH/config/jupyterhub_config.d/neuguong.py"

# 5. Limits and culling (measured: one learner = Voilà server + kernel, see deploy/README.md).
tljh-config set limits.memory 512M
tljh-config set limits.cpu 1
tljh-config set services.cull.enabled True
tljh-config set services.cull.timeout 1800   # 30 min without traffic
tljh-config set services.cull.every 300
tljh-config set services.cull.max_age 28800  # a working day at most
tljh-config set services.cull.concurrency 10

# 6. HTTPS (Let's Encrypt; or https.tls.cert / https.tls.key for the province's certificate).
# tljh-config set https.enabled true
# tljh-config set https.letsencrypt.email admin@example.gov.vn
# tljh-config add-item https.letsencrypt.domains hoc.example.gov.vn

tljh-config reload hub
tljh-config reload proxy
echo "Nêu gương: learners log in at https://${NEUGUONG_HOSTNAMES%%,*}/ and land on the home page."
