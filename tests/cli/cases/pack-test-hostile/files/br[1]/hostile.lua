-- Written at the top level, while the file loads: `pack check` warns
-- about it, `pack test` does not.
loaded = true

check {
  id = "counts",
  title = "Counts its calls in a global",
  check = function(ctx)
    calls = (calls or 0) + 1 -- written while the rule runs: a warning
    return pass("call %d", calls)
  end,
}
