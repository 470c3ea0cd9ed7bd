# Reference values from R `survey` for trimming a calibrated design (trimWeights).
#
# Run from the repository root:
#     Rscript tests/r/trim_fixtures.R
#
# Reads the committed data tests/fixtures/r/design_firms.csv, design_firms_targets.csv and
# apistrat.csv (written by design_fixtures.R). Writes tests/fixtures/r/trim_reference.csv:
# design, kind, var, level, stat, value.
#
# R's trimWeights(design, upper, lower, strict) changes only the weights (design$prob): a
# calibrated design keeps its postStrata list, whose residualisation uses the weights
# stored at calibration time (attr "weights" / "oldweights", caldata$w), so the trimming
# factors act as fixed multipliers of the calibrated weights.
#
# Designs (bounds chosen so that both bind):
#   firm_rake_trim   rake on size_class, sector, export_band (to convergence), trimmed to
#                    [20, 300]
#   firm_cal_trim    linear calibrate ~ size_class + sector + export_band, [20, 300], strict
#   firm_ps_trim     postStratify on size_class, [40, 180]
#   api_ps_trim      apistrat (strata stype, fpc) post-stratified on sch.wide to
#                    No = 1000, Yes = 5194, trimmed to [18, 50]
#   api_trim         apistrat, no calibration, trimmed to at most 40, strict
# kind: bounds (lower, upper, strict); weights (sum, sumsq, sum_id = sum(i * w_i) in row
# order, min, max, n_changed = weights changed by trimming); mean, total (svymean /
# svytotal, na.rm = TRUE: estimate, se); prop (svymean of the 0/1 indicator var == level:
# estimate, se).

suppressPackageStartupMessages(library(survey))

fix_dir <- file.path("tests", "fixtures", "r")
firms <- read.csv(file.path(fix_dir, "design_firms.csv"), stringsAsFactors = FALSE,
                  na.strings = c("", "NA"))
tg <- read.csv(file.path(fix_dir, "design_firms_targets.csv"), stringsAsFactors = FALSE)
api <- read.csv(file.path(fix_dir, "apistrat.csv"), stringsAsFactors = FALSE,
                na.strings = c("", "NA"))
source(file.path("tests", "r", "common.R"))   # num17
pop_df <- function(v) {
  d <- tg[tg$variable == v, c("level", "target")]
  names(d) <- c(v, "Freq")
  d
}
pop_tot <- function(v) setNames(tg$target[tg$variable == v], tg$level[tg$variable == v])

firm_w <- svydesign(ids = ~1, weights = ~w, data = firms)
firm_rake <- rake(firm_w, list(~size_class, ~sector, ~export_band),
                  list(pop_df("size_class"), pop_df("sector"), pop_df("export_band")),
                  control = list(maxit = 1000, epsilon = 1e-12))
mm_pop <- function() {
  out <- c(`(Intercept)` = sum(pop_tot("size_class")))
  for (v in c("size_class", "sector", "export_band")) {
    p <- pop_tot(v)
    lv <- sort(names(p))[-1]
    out <- c(out, setNames(p[lv], paste0(v, lv)))
  }
  out
}
firm_cal <- calibrate(firm_w, ~size_class + sector + export_band, population = mm_pop())
firm_ps <- postStratify(firm_w, ~size_class, pop_df("size_class"))
api_strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = api, fpc = ~fpc)
api_ps <- postStratify(api_strat, ~sch.wide,
                       data.frame(sch.wide = c("No", "Yes"), Freq = c(1000, 5194)))

cases <- list(
  firm_rake_trim = list(d = firm_rake, lower = 20, upper = 300, strict = FALSE,
                        num = c("employees", "share"), prop = c("sector", "services")),
  firm_cal_trim = list(d = firm_cal, lower = 20, upper = 300, strict = TRUE,
                       num = c("employees", "share"), prop = c("sector", "services")),
  firm_ps_trim = list(d = firm_ps, lower = 40, upper = 180, strict = FALSE,
                      num = c("employees", "share"), prop = c("sector", "services")),
  api_ps_trim = list(d = api_ps, lower = 18, upper = 50, strict = FALSE,
                     num = c("api00", "enroll"), prop = c("awards", "Yes")),
  api_trim = list(d = api_strat, lower = -Inf, upper = 40, strict = TRUE,
                  num = c("api00", "enroll"), prop = c("awards", "Yes")))

rows <- list()
emit <- function(design, kind, var, level, stat, value) {
  rows[[length(rows) + 1]] <<- data.frame(design = design, kind = kind, var = var,
                                          level = level, stat = stat, value = unname(num17(value)),
                                          stringsAsFactors = FALSE)
}
for (nm in names(cases)) {
  cs <- cases[[nm]]
  before <- weights(cs$d)
  d <- trimWeights(cs$d, upper = cs$upper, lower = cs$lower, strict = cs$strict)
  stopifnot(length(d$postStrata) == length(cs$d$postStrata))
  w <- weights(d)
  stopifnot(any(w != before))
  emit(nm, "bounds", "", "", "lower", cs$lower)
  emit(nm, "bounds", "", "", "upper", cs$upper)
  emit(nm, "bounds", "", "", "strict", as.numeric(cs$strict))
  emit(nm, "weights", "", "", "sum", sum(w))
  emit(nm, "weights", "", "", "sumsq", sum(w^2))
  emit(nm, "weights", "", "", "sum_id", sum(seq_along(w) * w))
  emit(nm, "weights", "", "", "min", min(w))
  emit(nm, "weights", "", "", "max", max(w))
  emit(nm, "weights", "", "", "n_changed", sum(abs(w - before) > 1e-9 * abs(before)))
  for (v in cs$num) {
    f <- as.formula(paste0("~", v))
    for (kind in c("mean", "total")) {
      e <- if (kind == "mean") svymean(f, d, na.rm = TRUE) else svytotal(f, d, na.rm = TRUE)
      emit(nm, kind, v, "", "estimate", coef(e))
      emit(nm, kind, v, "", "se", SE(e))
    }
  }
  f <- as.formula(sprintf("~I(as.numeric(%s == \"%s\"))", cs$prop[1], cs$prop[2]))
  e <- svymean(f, d, na.rm = TRUE)
  emit(nm, "prop", cs$prop[1], cs$prop[2], "estimate", coef(e))
  emit(nm, "prop", cs$prop[1], cs$prop[2], "se", SE(e))
}

ref <- do.call(rbind, rows)
ref <- rbind(data.frame(design = "meta", kind = "meta", var = "survey",
                        level = R.version.string, stat = "version",
                        value = as.character(packageVersion("survey"))),
             ref)
write.csv(ref, file.path(fix_dir, "trim_reference.csv"), row.names = FALSE, na = "")
cat("wrote", nrow(ref), "reference values\n")
