# Two commands on a fresh machine:  `make demo`  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Optional extras: `llm` (LangChain + OpenAI-compatible chat) is light and always installed;
# `make demo` installs only what it runs (DEMO_EXTRAS), `make test` adds the test tools (`dev`);
# CI adds `st` (sentence-transformers + torch) so that test group runs too.
DEMO_EXTRAS ?= llm
EXTRAS ?= dev,llm
PIP_EXTRA ?=
STAMP = $(VENV)/.installed-$(EXTRAS)
export KEJIYUN_HOME ?= $(CURDIR)/var

.PHONY: demo test lint bench clean

# one stamp per set of extras: `make test` after `make demo` adds the test tools
$(VENV)/.installed-%: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[$*]' $(PIP_EXTRA)
	touch $@

## demo: set up, create the embedded store (SQLite in ./var), load and index the demo corpus,
## then answer a farmer's question, find experts, match an enterprise need, play six weeks of
## demo activity, create the demo staff account, and serve the web chat at
## http://127.0.0.1:$(PORT)/chat and the staff console at /console (Ctrl-C stops it)
PORT ?= 8000
demo: $(VENV)/.installed-$(DEMO_EXTRAS)
	$(BIN)/kejiyun init --demo
	$(BIN)/kejiyun stats
	$(BIN)/kejiyun ask "李子园土壤酸化板结怎么办？"
	$(BIN)/kejiyun search scientists "李子园土壤酸化改良" --region 宜宾市 --top 3
	$(BIN)/kejiyun match "我们是宜宾翠屏区的李子合作社，两百亩李子树叶子发黄、果子小，土挖起来硬邦邦的，想请专家这周内来现场看看，预算五千左右，可以留电话" --top 3
	$(BIN)/kejiyun demo activity
	$(BIN)/kejiyun demo staff
	@echo "工作台：http://127.0.0.1:$(PORT)/console    网页聊天：http://127.0.0.1:$(PORT)/chat"
	$(BIN)/kejiyun serve --port $(PORT)

## test: set up, lint, and run the whole suite (SQLite and PostgreSQL) in TEST_WORKERS
## processes (pytest-xdist; each test has its own data directory, PostgreSQL schema and
## Redis namespace, so they never see each other; TEST_WORKERS=0 runs in this process)
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check .

## bench: import speed (SQLite vs PostgreSQL), retrieval and matching quality/latency, report
## figures and topic clustering, judged answers and dialogs, emergencies, answer cost (bench/)
bench: $(STAMP)
	$(BIN)/python bench/import_speed.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/answers.py
	$(BIN)/python bench/dialogs.py
	$(BIN)/python bench/emergencies.py
	$(BIN)/python bench/answer_cost.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
