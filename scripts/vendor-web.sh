#!/usr/bin/env bash
# Re-fetch the web workbench's vendored front-end files from npm at the pinned versions
# and rewrite their checksums (chanjiao/web/static/vendor/MANIFEST.sha256, checked by
# tests/test_web.py). Nothing is bundled or built: each file is the package's own
# prebuilt browser file, copied as is with its licence. Needs Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
V=chanjiao/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
  sigma@3.0.3 graphology@0.26.0 swagger-ui-dist@5.32.0 redoc@2.5.1 >/dev/null)
N=$work/node_modules
mkdir -p $V/sigma $V/graphology $V/swagger-ui $V/redoc
cp $N/sigma/dist/sigma.min.js $N/sigma/LICENSE.txt $V/sigma/
cp $N/graphology/dist/graphology.umd.min.js $N/graphology/LICENSE.txt $V/graphology/
cp $N/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,LICENSE,NOTICE,swagger-ui-bundle.js.LICENSE.txt} $V/swagger-ui/
cp $N/redoc/bundles/{redoc.standalone.js,redoc.standalone.js.LICENSE.txt} $N/redoc/LICENSE $V/redoc/
(cd $V && find . -type f ! -name MANIFEST.sha256 | LC_ALL=C sort | xargs sha256sum > MANIFEST.sha256)
echo "vendored files in $V match npm: sigma 3.0.3, graphology 0.26.0, swagger-ui-dist 5.32.0, redoc 2.5.1"
