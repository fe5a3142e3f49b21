"""The tea-brand case as a notebook-style script: run it top to bottom.

    python docs/examples/tea_brand_notebook.py

Each "cell" (a `# %%` marker, which VS Code and Jupytext open as notebook cells) uses
the public API on the demo's seeded data and prints what a notebook would show. With
the `pandas` extra, results become DataFrames; without it, the script says so and
goes on.
"""

# %% The seeded case data
import smmkit
from smmkit.demo import make_tea_brand_data

data = make_tea_brand_data(seed=11)
print(f"{len(data.users)} users, {len(data.journeys)} journeys, now = {data.now:%Y-%m-%d %H:%M}")

# %% Segments, as a table
segmentation = smmkit.segment_users(data.users, data.interactions, now=data.now)
print({stage.value: n for stage, n in segmentation.counts().items()})
try:
    frame = segmentation.to_frame()
except smmkit.MissingExtraError as exc:
    print("(no pandas:", exc, ")")
else:
    print(frame.groupby("stage")["orders"].mean().round(2))

# %% Attribution, two models side by side
markov = smmkit.attribute(data.journeys, model="markov")
last = smmkit.attribute(data.journeys, model="last_touch")
for credit in markov.channels:
    before = last.credit(credit.channel).conversions
    print(f"{credit.channel:12} last touch {before:6.1f}  markov {credit.conversions:6.1f}")

# %% Funnels by content type over the last four weeks
from datetime import timedelta

recent = [
    o
    for o in data.observations
    if o.content_type and o.period_start >= data.now - timedelta(weeks=4)
]
report = smmkit.build_funnels(recent, by_platform=False)
print(report.table())

# %% The advice the data supports
for rec in smmkit.suggest_iterations(data.observations, now=data.now, attribution=markov):
    print(f"- {rec.action}")
