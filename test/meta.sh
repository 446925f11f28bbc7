#!/usr/bin/env bash
# PGXN metadata (META.json, PGXN Meta Spec 1.0.0) and the Debian package
# agree with the control file: valid JSON, every required key, versions that
# are the control file's default_version, files that exist, a license from
# the spec's list, the PostgreSQL prerequisite, and the Debian changelog's
# upstream version.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m json.tool META.json >/dev/null || { echo "meta: META.json is not valid JSON"; exit 1; }
version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" tsetp.control)
deb_upstream=$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null | sed 's/-[^-]*$//' || true)
python3 - "$version" "$deb_upstream" <<'PY'
import json, os, re, sys
version, deb_upstream = sys.argv[1], sys.argv[2]
m = json.load(open('META.json'))
errors = []
def need(cond, what):
    if not cond:
        errors.append(what)
for key in ('name', 'abstract', 'version', 'maintainer', 'license', 'provides', 'meta-spec'):
    need(key in m, 'required key %s is missing' % key)
semver = lambda v: re.fullmatch(r'\d+\.\d+\.\d+', v or '') is not None
# PGXN versions are semantic versions: control's 2.0 is 2.0.0.
as_semver = version + '.0' * (2 - version.count('.'))
need(m.get('name') == 'tsetp', 'name is not tsetp')
need(semver(m.get('version')), 'version %r is not a semantic version' % m.get('version'))
need(m.get('version') == as_semver, 'version %r is not the control file\'s %s' % (m.get('version'), as_semver))
need(m.get('meta-spec', {}).get('version') == '1.0.0', 'meta-spec version is not 1.0.0')
need(isinstance(m.get('maintainer'), (str, list)) and m.get('maintainer'), 'maintainer is empty')
licenses = {'agpl_3', 'apache_1_1', 'apache_2_0', 'artistic_1', 'artistic_2', 'bsd', 'freebsd', 'gfdl_1_2',
            'gfdl_1_3', 'gpl_1', 'gpl_2', 'gpl_3', 'lgpl_2_1', 'lgpl_3_0', 'mit', 'mozilla_1_0', 'mozilla_1_1',
            'openssl', 'perl_5', 'postgresql', 'qpl_1_0', 'ssleay', 'sun', 'zlib', 'open_source',
            'restricted', 'unrestricted', 'unknown'}
lic = m.get('license')
need(isinstance(lic, dict) or lic in licenses or (isinstance(lic, list) and set(lic) <= licenses),
     'license %r is not one of the spec\'s' % (lic,))
p = m.get('provides', {}).get('tsetp', {})
need(p.get('version') == as_semver, 'provides.tsetp.version is not %s' % as_semver)
need(p.get('abstract'), 'provides.tsetp.abstract is missing')
for k in ('file', 'docfile'):
    need(p.get(k) and os.path.exists(p[k]), 'provides.tsetp.%s %r does not exist' % (k, p.get(k)))
pg = m.get('prereqs', {}).get('runtime', {}).get('requires', {}).get('PostgreSQL')
need(pg == '15.0.0', 'prereqs.runtime.requires.PostgreSQL is %r, not 15.0.0' % (pg,))
need(m.get('release_status', 'stable') in ('stable', 'testing', 'unstable'), 'release_status is not one of the spec\'s')
if deb_upstream:
    need(deb_upstream == version, 'debian/changelog is at %s, the control file at %s' % (deb_upstream, version))
for e in errors:
    print('meta: ' + e)
sys.exit(1 if errors else 0)
PY
echo "meta: ok (META.json valid, tsetp $version as 2.0.0, Debian changelog at ${deb_upstream:-?})"
