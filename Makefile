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

.PHONY: deps test demo fuzz bench

# Installs the Debian packages the build, the tests and the demo need.
deps:
	bash scripts/deps.sh

# Builds, installs, runs pg_regress and pgTAP on a throwaway cluster.
test: deps
	bash scripts/test.sh

# Builds, installs, and runs a period close on generated data.
demo: deps
	bash scripts/demo.sh

# libFuzzer with AddressSanitizer and UBSan on every pure parser.
fuzz: deps
	bash scripts/fuzz.sh

bench: deps
	bash bench/types.sh
