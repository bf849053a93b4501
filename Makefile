# Go Concurrency Lab — the two commands a reader needs are `make lab` and `make test`.
SHELL := /bin/bash
GOBIN := $(shell go env GOBIN 2>/dev/null)
ifeq ($(GOBIN),)
GOBIN := $(shell go env GOPATH 2>/dev/null)/bin
endif
export PATH := $(GOBIN):$(PATH)
JUPYTER_PY = $(shell cat build/jupyter-python 2>/dev/null || echo python3)

.PHONY: help setup lab test test-go test-notebooks test-browser check-notebooks sync slides html pdf bench progress clean git-filter

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: ## install GoNB, Jupyter and browser assets (idempotent)
	@bash scripts/setup.sh

lab: setup ## set up, then open the lab in Jupyter on 127.0.0.1
	@bash scripts/lab.sh

test: setup ## every check: format, vet, go test -race, notebooks in a real kernel
	@bash scripts/test.sh

test-go: ## only the Go checks (no Jupyter needed)
	@LAB_TEST_STEPS=go bash scripts/test.sh

# ---------------------------------------------------------------- notebooks
# One driver: pytest (tests/test_notebooks.py, parametrized by notebook). Select notebooks
# with NB (numbers, stems or paths: NB="05 07", NB=notebooks/05_worker_pools.ipynb) and/or
# K (a pytest -k expression); M (a pytest -m expression: M=kernel runs only the tests that
# execute notebooks). NB_CELL_TIMEOUT sets the per-cell timeout (default 300 s).
PYTEST = $(JUPYTER_PY) -m pytest
# Kernel runs wait on compiles, sleeps and sockets as much as on the CPU, so two at a time
# (pytest-xdist, where installed) use a 2-core machine better than one. NB_JOBS=1: one at a time.
NB_JOBS ?= 2
XDIST = $(if $(filter-out 0 1,$(NB_JOBS)),$(if $(shell $(JUPYTER_PY) -c 'import xdist' 2>/dev/null && echo y),-n $(NB_JOBS) --dist loadscope))
notebooks_with = $(sort $(if $(NB),$(foreach n,$(NB),$(wildcard notebooks/$(basename $(notdir $(n)))*.$(1))),$(wildcard notebooks/[0-9][0-9]*.$(1))))
SELECTED = $(notdir $(basename $(call notebooks_with,ipynb)))
# NB= is the driver's --nb option (tests/conftest.py), which also rejects an NB that matches nothing.
PYTEST_SELECT = $(if $(NB),--nb "$(NB)") $(if $(K),-k "$(K)")
need_selection = $(if $(NB),$(if $(1),,$(error NB=$(NB) matches no notebook in notebooks/)))
# What an executed copy depends on: the notebook, and the Go code its cells build against.
LABKIT_GO := $(shell find labkit -name '*.go' -not -name '*_test.go' 2>/dev/null) go.mod go.sum
EXPORT = $(JUPYTER_PY) scripts/export.py

check-notebooks: | build/jupyter-python ## static notebook checks, no kernel (format, exercises, .md in sync, stripped)
	@$(PYTEST) -m "not kernel" $(PYTEST_SELECT) --junitxml=build/junit-check-notebooks.xml

test-notebooks: | build/jupyter-python ## static checks + execute in GoNB, stub and solutions runs (all, or NB="05 07" / K=expr; M=kernel: execution only)
	@$(PYTEST) $(if $(M),-m "$(M)") $(PYTEST_SELECT) $(XDIST) --durations=0 --junitxml=build/junit-test-notebooks.xml

test-browser: setup ## slide decks and the live front end in headless Chromium, network blocked
	@bash scripts/test-browser.sh || [ $$? -eq 77 ] # 77: skipped (no Chromium), as it said

sync: | build/jupyter-python ## regenerate notebooks/NN_topic.ipynb from its text source NN_topic.md (all, or NB=...)
	$(call need_selection,$(call notebooks_with,md))
	@for md in $(call notebooks_with,md); do $(JUPYTER_PY) -m jupytext --update --to ipynb "$$md" || exit 1; done

# One export.py for all the selected notebooks (it skips a deck or page newer than its executed
# copy and than the export's own code): nbconvert starts once, not once a notebook.
slides: $(SELECTED:%=build/executed/%.ipynb) | build/jupyter-python ## executed decks in build/slides/, offline (all, or NB=...)
	$(call need_selection,$(SELECTED))
	@$(EXPORT) slides build/slides $^

# Chromium's own PDF printer (reveal.js print mode), the system browser, never a download;
# pdfinfo/pdftoppm (poppler-utils) check the pages. The index then links each PDF.
pdf: slides ## one PDF per deck in build/pdf/ (one page per slide, charts drawn), via the system Chromium
	@go build -o build/slidepdf ./internal/browsertest/cmd/slidepdf
	@build/slidepdf -decks build/slides -out build/pdf -png build/browser $(if $(NB),-only "$(SELECTED)")
	@$(EXPORT) index slides build/slides

html: $(SELECTED:%=build/executed/%.ipynb) | build/jupyter-python ## executed pages in build/html/, offline (all, or NB=...)
	$(call need_selection,$(SELECTED))
	@$(EXPORT) html build/html $^

# An executed copy is fresh while it is newer than the notebook and labkit; else the driver
# runs the notebook again (the as-committed run; it writes the copy only when the run passes).
build/executed/%.ipynb: notebooks/%.ipynb $(LABKIT_GO) | build/jupyter-python
	@$(PYTEST) -q "tests/test_notebooks.py::TestKernel_$*::test_runs_as_committed"

# Executed copies are results worth keeping, not intermediate files for Make to delete.
.SECONDARY: $(patsubst notebooks/%,build/executed/%,$(wildcard notebooks/[0-9][0-9]*.ipynb))

build/jupyter-python:
	@bash scripts/setup.sh

progress: ## your progress: which exercises pass now (your saved cells) and your predictions vs the measurements (NB=...)
	@go run ./cmd/progress $(NB)

bench: ## benchmarks that print speedups and ratios measured in one run
	go test -run '^$$' -bench . -benchmem -count 1 -timeout 30m ./...

git-filter: setup ## strip notebook outputs when you commit (registers nbstripout for this clone)
	git config filter.nbstripout.clean "'$(CURDIR)/.venv/bin/nbstripout' --keep-id"
	git config filter.nbstripout.smudge cat
	git config filter.nbstripout.required true
	@echo "nbstripout strips notebooks/*.ipynb outputs on git add (see .gitattributes)"

clean: ## remove generated files (executed notebooks, HTML, slides, logs)
	rm -rf build notebooks/_assets
