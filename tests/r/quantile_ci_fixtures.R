# Reference values from R `survey` for the quantile rules / intervals and the likelihood
# interval of a proportion (survey_kit.design.intervals).
#
# Run from the repository root (after tests/r/design_fixtures.R, whose data it reads):
#     Rscript tests/r/quantile_ci_fixtures.R
#
# Reads tests/fixtures/r/apistrat.csv and apiclus1.csv (R data(api), as committed) and
# builds the designs api_strat and api_clus1 exactly as design_fixtures.R does
# (api_clus1 avg.ed has missing values: na.rm = TRUE).
# Writes tests/fixtures/r/quantile_ci_reference.csv: design, kind, var, level, stat, value.
#
# kind:
#   quantile_<qrule>_<interval>  svyquantile(~var, design, 0.1/0.5/0.9, qrule = "math" or
#       "hf7", interval.type = "mean" or "score", ci = TRUE); level is the probability;
#       stat estimate, ci_low, ci_high, se. R's own output: the "score" interval
#       (survey:::ffullerCI) finds its limits with uniroot (tol = 1/(100 sqrt(n))) on a step
#       function and maps them back through the rule, so the result is a data value (or an
#       interpolation of two) that does not depend on the tolerance beyond the trajectory
#       of R's zeroin, which survey_kit reproduces step by step.
#   prop_likelihood    svyciprop(method = "likelihood", df = degf(design)) computed to
#       convergence: the intercept-only quasibinomial svyglm is iterated to the floating
#       point fixed point and the profile limits are the exact roots (uniroot, tol 1e-15)
#       of z(b) = sign(b - b0) sqrt((dev(b) - dev(b0)) / dispersion) = qt(a, df) sqrt(lambda)
#       (lambda = cov.unscaled / naive.cov, as survey:::confint.svyglm).
#   prop_likelihood_r  R's svyciprop(method = "likelihood") as printed: it interpolates a
#       spline through at most 10 profile points (MASS-style profile), so it agrees with
#       the exact limits only to about 1e-4.
#
# Survey package version used is recorded in the row of kind "meta".

suppressPackageStartupMessages(library(survey))

out_dir <- file.path("tests", "fixtures", "r")
source(file.path("tests", "r", "common.R"))   # num17, ciprop_likelihood
apistrat <- read.csv(file.path(out_dir, "apistrat.csv"), stringsAsFactors = FALSE,
                     na.strings = c("", "NA"))
apiclus1 <- read.csv(file.path(out_dir, "apiclus1.csv"), stringsAsFactors = FALSE,
                     na.strings = c("", "NA"))
designs <- list(
  api_strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc),
  api_clus1 = svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc))
spec <- list(
  api_strat = list(num = c("api00", "enroll"),
                   props = list(c("sch.wide", "Yes"), c("yr.rnd", "Yes"))),
  api_clus1 = list(num = c("api00", "enroll", "avg.ed"),
                   props = list(c("yr.rnd", "Yes"), c("stype", "H"))))

rows <- list()
emit <- function(design, kind, var, level, stat, value) {
  rows[[length(rows) + 1]] <<- data.frame(design = design, kind = kind, var = var,
    level = as.character(level), stat = stat, value = num17(as.numeric(value)),
    stringsAsFactors = FALSE)
}
emit("meta", "meta", "survey", as.character(packageVersion("survey")), R.version.string, NA)


for (dn in names(designs)) {
  d <- designs[[dn]]
  s <- spec[[dn]]
  df <- degf(d)
  for (v in s$num) {
    f <- as.formula(paste0("~`", v, "`"))
    for (qr in c("math", "hf7")) for (it in c("mean", "score")) {
      q <- svyquantile(f, d, c(0.1, 0.5, 0.9), na.rm = TRUE, ci = TRUE, qrule = qr,
                       interval.type = it)[[1]]
      kind <- paste0("quantile_", qr, "_", it)
      for (i in seq_len(nrow(q))) {
        emit(dn, kind, v, rownames(q)[i], "estimate", q[i, 1])
        emit(dn, kind, v, rownames(q)[i], "ci_low", q[i, 2])
        emit(dn, kind, v, rownames(q)[i], "ci_high", q[i, 3])
        emit(dn, kind, v, rownames(q)[i], "se", q[i, 4])
      }
    }
  }
  for (p in s$props) {
    v <- p[1]; lev <- p[2]
    f <- as.formula(paste0("~I(`", v, "` == '", lev, "')"))
    e <- suppressWarnings(svyciprop(f, d, method = "likelihood", df = df, na.rm = TRUE))
    ci <- attr(e, "ci")
    emit(dn, "prop_likelihood_r", v, lev, "estimate", coef(e))
    emit(dn, "prop_likelihood_r", v, lev, "ci_low", ci[1])
    emit(dn, "prop_likelihood_r", v, lev, "ci_high", ci[2])
    full <- ciprop_likelihood(f, d, df)
    emit(dn, "prop_likelihood", v, lev, "estimate", full[1])
    emit(dn, "prop_likelihood", v, lev, "ci_low", full[2])
    emit(dn, "prop_likelihood", v, lev, "ci_high", full[3])
  }
}
ref <- do.call(rbind, rows)
write.csv(ref, file.path(out_dir, "quantile_ci_reference.csv"), row.names = FALSE, na = "")
message("wrote ", nrow(ref), " rows")
