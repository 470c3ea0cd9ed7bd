# The probability-sample example (sample_data/api/) and its R reference values.
#
# Run from the repository root:
#     Rscript tests/r/api_sample_fixtures.R
#
# Writes:
#   sample_data/api/apistrat_2000.csv   R survey's data(api) apistrat (a stratified random
#       sample of 200 California schools, strata = school type) with the columns the
#       example questionnaire (questionnaires/api_stratified_2000.yaml) reads; categorical
#       answers coded as the questionnaire states (stype E/M/H = 1/2/3; Yes/No = 1/2);
#       doubles with 17 significant digits (round-trip exact).
#   tests/fixtures/r/api_sample_reference.csv   kind, var, group, level, stat, value:
#       the design svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc) of the
#       original apistrat: svymean (deff = TRUE) of api00 and enroll; the proportions
#       (svymean of the indicator, deff = TRUE) of each level of sch.wide and awards;
#       svyby of the sch.wide = Yes proportion by stype (svymean of the indicator);
#       by_prop_likelihood: svyciprop(method = "likelihood", df = degf(design)) on each
#       domain (group "by=level") with the exact profile roots, as in
#       quantile_ci_fixtures.R; by_prop_likelihood_r: R's own svyby(..., svyciprop,
#       method = "likelihood", df = degf(design)), spline-interpolated (about 1e-4), left
#       out where R's profiling stops ("original fit had not converged"); degf.
#
# Source and licence of the data: see sample_data/api/SOURCES.md.

suppressPackageStartupMessages(library(survey))
source(file.path("tests", "r", "common.R"))   # num17, write_data, ciprop_likelihood

data(api)
yn <- function(x) ifelse(is.na(x), NA, ifelse(x == "Yes", 1L, 2L))
out <- data.frame(cds = apistrat$cds,
                  stype = match(as.character(apistrat$stype), c("E", "M", "H")),
                  api00 = apistrat$api00, api99 = apistrat$api99,
                  sch.wide = yn(apistrat$sch.wide), awards = yn(apistrat$awards),
                  yr.rnd = yn(apistrat$yr.rnd), meals = apistrat$meals,
                  ell = apistrat$ell, enroll = apistrat$enroll,
                  pw = apistrat$pw, fpc = apistrat$fpc, check.names = FALSE)
dir.create(file.path("sample_data", "api"), recursive = TRUE, showWarnings = FALSE)
write_data(out, file.path("sample_data", "api", "apistrat_2000.csv"))

d <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
rows <- list()
emit <- function(kind, var, group, level, stat, value) {
  rows[[length(rows) + 1]] <<- data.frame(kind = kind, var = var, group = group,
    level = as.character(level), stat = stat, value = num17(as.numeric(value)),
    stringsAsFactors = FALSE)
}
emit("meta", "survey", "", as.character(packageVersion("survey")), R.version.string, NA)
emit("degf", "", "", "", "degf", degf(d))
for (v in c("api00", "enroll")) {
  m <- svymean(as.formula(paste0("~", v)), d, deff = TRUE, na.rm = TRUE)
  emit("mean", v, "", "", "estimate", coef(m))
  emit("mean", v, "", "", "se", SE(m))
  emit("mean", v, "", "", "deff", deff(m))
}
for (v in c("sch.wide", "awards")) {
  for (lev in levels(apistrat[[v]])) {
    f <- as.formula(paste0("~I(`", v, "` == '", lev, "')"))
    m <- svymean(f, d, deff = TRUE, na.rm = TRUE)
    emit("prop", v, "", lev, "estimate", coef(m)[2])
    emit("prop", v, "", lev, "se", SE(m)[2])
    emit("prop", v, "", lev, "deff", deff(m)[2])
  }
}
b <- svyby(~I(sch.wide == "Yes"), ~stype, d, svymean, deff = TRUE)
for (i in seq_len(nrow(b))) {
  g <- as.character(b$stype[i])
  emit("by_prop", "sch.wide", g, "Yes", "estimate", b[i, 'I(sch.wide == "Yes")TRUE'])
  emit("by_prop", "sch.wide", g, "Yes", "se", b[i, 'se.I(sch.wide == "Yes")TRUE'])
}

# by-domain likelihood intervals: domains = strata, domains across strata, and a variable
# with missing values (acs.k3 is missing for the high schools)
cases <- list(list(var = "sch.wide", level = "Yes", f = ~I(sch.wide == "Yes"), by = "stype"),
              list(var = "awards", level = "Yes", f = ~I(awards == "Yes"), by = "yr.rnd"),
              list(var = "acs.k3", level = "ge20", f = ~I(acs.k3 >= 20), by = "sch.wide"))
for (cs in cases) {
  br <- tryCatch(suppressWarnings(svyby(cs$f, as.formula(paste0("~", cs$by)), d, svyciprop,
                                        method = "likelihood", df = degf(d), vartype = "ci",
                                        na.rm = TRUE)), error = function(e) NULL)
  for (g in levels(factor(apistrat[[cs$by]]))) {
    full <- ciprop_likelihood(cs$f, subset(d, apistrat[[cs$by]] == g), degf(d))
    key <- paste0(cs$by, "=", g)
    emit("by_prop_likelihood", cs$var, key, cs$level, "estimate", full[1])
    emit("by_prop_likelihood", cs$var, key, cs$level, "ci_low", full[2])
    emit("by_prop_likelihood", cs$var, key, cs$level, "ci_high", full[3])
    if (is.null(br)) next
    i <- which(as.character(br[[cs$by]]) == g)
    emit("by_prop_likelihood_r", cs$var, key, cs$level, "estimate", br[i, 2])
    emit("by_prop_likelihood_r", cs$var, key, cs$level, "ci_low", br[i, "ci_l"])
    emit("by_prop_likelihood_r", cs$var, key, cs$level, "ci_high", br[i, "ci_u"])
  }
}
ref <- do.call(rbind, rows)
write.csv(ref, file.path("tests", "fixtures", "r", "api_sample_reference.csv"),
          row.names = FALSE, na = "")
message("wrote ", nrow(ref), " rows")
