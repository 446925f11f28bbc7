# tsetp — PGXS build.
#
# The two commands a new user needs are `make demo` and `make test`; both
# install whatever Debian packages are missing first (scripts/deps.sh), so the
# PGXS part below is only included once pg_config exists.

EXTENSION    = tsetp
EXTVERSION   = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big   = tsetp
OBJS         = $(patsubst %.c,%.o,$(sort $(wildcard extension/*.c)))

# The install script is assembled from one file per concern.
SQL_PARTS    = $(sort $(wildcard extension/sql/*.sql))
DATA_built   = extension/$(EXTENSION)--$(EXTVERSION).sql
DATA         = $(filter-out $(DATA_built),$(wildcard extension/$(EXTENSION)--*.sql))

REGRESS      = tco2_io tco2_arith tco2_agg fiscal_year fiscal_period credit \
               binary_copy rules_formulas engine registry_rules security markings
# Soft input errors (pg_input_is_valid) exist from PostgreSQL 16 on.
PG_MAJOR     = $(shell $(PG_CONFIG) --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
REGRESS     += $(if $(shell test 0$(PG_MAJOR) -ge 16 && echo y),soft_errors)
REGRESS_OPTS = --encoding=UTF8 --inputdir=. $(if $(REGRESS_OUTDIR),--outputdir=$(REGRESS_OUTDIR))

PG_CPPFLAGS  = -I$(srcdir)/extension
PG_CFLAGS    = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
               -Wno-missing-field-initializers -Werror

EXTRA_CLEAN  = $(DATA_built) fuzz/build bench/out

PG_CONFIG   ?= pg_config
PGXS        := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
endif

$(DATA_built): $(SQL_PARTS) $(EXTENSION).control
	cat $(SQL_PARTS) > $@

.PHONY: deps test demo fuzz bench package-test regress-list

# Installs the Debian packages the build, the tests and the demo need.
deps:
	bash scripts/deps.sh

# Every test: the PostgreSQL 15 suite (build, install, pg_regress, pgTAP with
# the lint, scripted tests on a throwaway cluster), the Debian package on a
# fresh Debian 12 root, and the suite on PostgreSQL 17 in a Debian 13 root.
#   make test PG=15    only the PostgreSQL 15 suite
#   make test PG=17    only the PostgreSQL 17 suite (docs/packaging.md)
test: deps
ifneq ($(PG),17)
	bash scripts/test.sh
endif
ifeq ($(PG),)
	bash scripts/package_test.sh
endif
ifneq ($(PG),15)
	bash scripts/pg17_test.sh
endif

# Builds the Debian package and tests it on a fresh Debian 12 root.
package-test: deps
	bash scripts/package_test.sh

# The pg_regress tests of this PostgreSQL version (for the package test).
regress-list:
	@echo $(REGRESS)

# Builds, installs, and runs a period close on generated data.
demo: deps
	bash scripts/demo.sh

# libFuzzer with AddressSanitizer and UBSan on every pure parser.
fuzz: deps
	bash scripts/fuzz.sh

bench: deps
	bash bench/types.sh
