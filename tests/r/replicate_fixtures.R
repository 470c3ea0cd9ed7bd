# Reference values from R `survey` for replicate-weight designs (R/surveyrep.R).
#
# Run from the repository root:
#     Rscript tests/r/replicate_fixtures.R
#
# Writes to tests/fixtures/r/:
#   replicate_pairs.csv      synthetic stratified sample (set.seed below): 10 strata
#                            "s01".."s10" of 2 PSUs each, plus stratum "s11" of 4 PSUs
#                            (split into two pairs by brrweights), 6 firms per PSU:
#                            h, psu, pw, y, x, grp, b, yes
#   replicate_columns.csv    apiclus1 with the bootstrap (bw1..bw50) and subbootstrap
#                            (sw1..sw40) analysis weights R drew (seeds below)
#   replicate_columns_strat.csv  apistrat with R's JKn analysis weights jw1..jw200
#   (apiclus1 and apistrat: data(api) of R's survey package, licence as the package's)
#   replicate_reference.csv  design, kind, var, level, stat, value
#
# Designs (as.svrepdesign of a linearization design unless noted):
#   strat_jkn       apistrat, svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc), JKn
#   strat_jkn_mse   the same with mse = TRUE
#   clus1_jk1       apiclus1, svydesign(id=~dnum, weights=~pw, fpc=~fpc), JK1
#   pairs_brr       replicate_pairs, svydesign(id=~psu, strata=~h, weights=~pw), BRR
#   pairs_fay       the same, Fay with rho = 0.3
#   clus1_boot      apiclus1 bootstrap (50 replicates): its weights are exported
#   clus1_subboot   apiclus1 subbootstrap (40 replicates): exported
#   cols_<design>   svrepdesign() from the exported columns of <design> (bootstraps,
#                   and strat_jkn with rscales) -- "supplied as columns"
#   strat_jkn_ps    strat_jkn post-stratified to the population counts of sch.wide
#   strat_jkn_rake  strat_jkn raked to the population counts of stype and sch.wide
#   strat_jkn_cal   strat_jkn calibrated (linear) to the counts of stype and the
#                   population total of enroll
#   strat_jkn_calraking  the same with calfun = "raking"
#   lonely_jkn_<rule>  replicate_pairs without PSU "s01.p2" (stratum s01 has one PSU), JKn
#                   under options(survey.lonely.psu = rule): mean of y, total of x, degf
#
# kind/stat: mean, total (est, se); prop (proportion of the level: est, se, and the
#   logit interval of svyciprop: lo, hi; prop_<method>: its xlogit, beta, mean and asin
#   intervals); quantile (svyquantile 0.5, interval.type
#   "mean", qrule "math": est, lo, hi, se); ratio (svyratio: est, se); by (svyby mean:
#   est, se per level); compare (svyby covmat = TRUE, svycontrast of the second level minus
#   the first: est, se); chisq (svychisq F and Wald: stat, ndf, ddf, p); glm (svyglm
#   gaussian / quasibinomial: coef, se per term); degf.

suppressPackageStartupMessages(library(survey))
source(file.path("tests", "r", "common.R"))
out_dir <- file.path("tests", "fixtures", "r")
data(api)

set.seed(20261204)
H <- 11
nps <- c(rep(2, 10), 4)
rows <- list()
for (h in 1:H) for (p in 1:nps[h]) {
  m <- 6
  u <- rnorm(1)
  rows[[length(rows) + 1]] <- data.frame(
    h = sprintf("s%02d", h), psu = sprintf("s%02d.p%d", h, p),
    pw = round(runif(m, 5, 40), 1), y = round(50 + 10 * u + rnorm(m, 0, 8), 2),
    x = round(runif(m, 1, 10), 2), grp = sample(c("a", "b", "c"), m, TRUE),
    b = sample(c("yes", "no"), m, TRUE))
}
pairs <- do.call(rbind, rows)
pairs$yes <- as.numeric(pairs$b == "yes")
apistrat$wide <- as.numeric(apistrat$sch.wide == "Yes")
apiclus1$wide <- as.numeric(apiclus1$sch.wide == "Yes")
write_data(pairs, file.path(out_dir, "replicate_pairs.csv"))

res <- data.frame(design = character(), kind = character(), var = character(),
                  level = character(), stat = character(), value = character())
add <- function(design, kind, var, level, stat, value) {
  res[nrow(res) + seq_along(value), ] <<- data.frame(design, kind, var, level, stat,
                                                     num17(as.numeric(value)))
}

stats_for <- function(name, d, v) {
  # v: list(y, total, prop, level, ratio_num, ratio_den, by, row, col, glm, glmb)
  f <- function(s) as.formula(paste("~", s))
  mn <- svymean(f(v$y), d, na.rm = TRUE)
  add(name, "mean", v$y, "", c("est", "se"), c(coef(mn), SE(mn)))
  tt <- svytotal(f(v$total), d, na.rm = TRUE)
  add(name, "total", v$total, "", c("est", "se"), c(coef(tt), SE(tt)))
  cp <- eval(bquote(svyciprop(~.(as.name(v$prop01)), d, method = "logit")))
  add(name, "prop", v$prop, v$level, c("est", "se", "lo", "hi"),
      c(coef(cp), sqrt(attr(cp, "var")), confint(cp)))
  for (meth in c("xlogit", "beta", "mean", "asin")) {
    cm <- eval(bquote(svyciprop(~.(as.name(v$prop01)), d, method = meth)))
    add(name, paste0("prop_", meth), v$prop, v$level, c("lo", "hi"), confint(cm))
  }
  q <- svyquantile(f(v$y), d, 0.5, ci = TRUE, na.rm = TRUE)[[1]]
  add(name, "quantile", v$y, "0.5", c("est", "lo", "hi", "se"), q[1, 1:4])
  r <- svyratio(f(v$ratio_num), f(v$ratio_den), d)
  add(name, "ratio", paste0(v$ratio_num, "/", v$ratio_den), "", c("est", "se"),
      c(coef(r), SE(r)))
  b <- svyby(f(v$y), f(v$by), d, svymean, na.rm = TRUE)
  add(name, "by", v$y, as.character(b[[1]]), "est", coef(b))
  add(name, "by", v$y, as.character(b[[1]]), "se", SE(b))
  bb <- svyby(f(v$y), f(v$by), d, svymean, na.rm = TRUE, covmat = TRUE)
  cc <- svycontrast(bb, c(-1, 1, rep(0, length(coef(bb)) - 2)))
  add(name, "compare", v$y, paste(names(coef(bb))[2], "-", names(coef(bb))[1]),
      c("est", "se"), c(coef(cc), SE(cc)))
  cf <- as.formula(sprintf("~%s + %s", v$row, v$col))
  for (st in c("F", "Wald")) {
    ch <- svychisq(cf, d, statistic = st)
    add(name, "chisq", paste0(v$row, "*", v$col), st, c("stat", "ndf", "ddf", "p"),
        c(ch$statistic, ch$parameter, ch$p.value))
  }
  g <- svyglm(as.formula(v$glm), d, control = glm.control(epsilon = 1e-14, maxit = 100))
  add(name, "glm", v$glm, names(coef(g)), "coef", coef(g))
  add(name, "glm", v$glm, names(coef(g)), "se", SE(g))
  g <- svyglm(as.formula(v$glmb), d, family = quasibinomial(),
              control = glm.control(epsilon = 1e-14, maxit = 100))
  add(name, "glmb", v$glmb, names(coef(g)), "coef", coef(g))
  add(name, "glmb", v$glmb, names(coef(g)), "se", SE(g))
  add(name, "degf", "", "", "value", degf(d))
  add(name, "scale", "", "", "value", d$scale)
}

api_vars <- list(y = "api00", total = "enroll", prop = "sch.wide", level = "Yes",
                 ratio_num = "api.stu", ratio_den = "enroll", by = "stype",
                 row = "sch.wide", col = "stype", glm = "api00 ~ ell + meals",
                 glmb = "wide ~ ell", prop01 = "wide")
pair_vars <- list(y = "y", total = "x", prop = "b", level = "yes", ratio_num = "y",
                  ratio_den = "x", by = "grp", row = "b", col = "grp", glm = "y ~ grp + x",
                  glmb = "yes ~ x", prop01 = "yes")

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dpairs <- svydesign(id = ~psu, strata = ~h, weights = ~pw, data = pairs)

strat_jkn <- as.svrepdesign(dstrat, type = "JKn")
stats_for("strat_jkn", strat_jkn, api_vars)
stats_for("strat_jkn_mse", as.svrepdesign(dstrat, type = "JKn", mse = TRUE), api_vars)
stats_for("clus1_jk1", as.svrepdesign(dclus1, type = "JK1"), api_vars)
stats_for("pairs_brr", as.svrepdesign(dpairs, type = "BRR"), pair_vars)
stats_for("pairs_fay", as.svrepdesign(dpairs, type = "Fay", fay.rho = 0.3), pair_vars)
set.seed(1)
boot <- as.svrepdesign(dclus1, type = "bootstrap", replicates = 50)
stats_for("clus1_boot", boot, api_vars)
set.seed(2)
subboot <- as.svrepdesign(dclus1, type = "subbootstrap", replicates = 40)
stats_for("clus1_subboot", subboot, api_vars)

# the same designs supplied as columns (analysis weights)
cols <- apiclus1
export <- function(d, prefix) {
  w <- weights(d, "analysis")
  colnames(w) <- paste0(prefix, seq_len(ncol(w)))
  w
}
cols <- cbind(apiclus1, export(boot, "bw"), export(subboot, "sw"))
write_data(cols, file.path(out_dir, "replicate_columns.csv"))
stats_for("cols_clus1_boot",
          svrepdesign(data = cols, repweights = "bw[0-9]+", weights = ~pw, type = "bootstrap",
                      combined.weights = TRUE), api_vars)
stats_for("cols_clus1_subboot",
          svrepdesign(data = cols, repweights = "sw[0-9]+", weights = ~pw, type = "bootstrap",
                      scale = subboot$scale, combined.weights = TRUE), api_vars)
scols <- cbind(apistrat, export(strat_jkn, "jw"))
write_data(scols, file.path(out_dir, "replicate_columns_strat.csv"))
add("cols_strat_jkn", "rscales", "", "", "value", strat_jkn$rscales)
stats_for("cols_strat_jkn",
          svrepdesign(data = scols, repweights = "jw[0-9]+", weights = ~pw, type = "JKn",
                      scale = 1, rscales = strat_jkn$rscales, combined.weights = TRUE),
          api_vars)

# calibrated replicate designs: each replicate raked / calibrated again
pop_types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_wide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1000, 5194))
raked <- rake(strat_jkn, list(~stype, ~sch.wide), list(pop_types, pop_wide),
              control = list(maxit = 100, epsilon = 1e-13, verbose = FALSE))
stats_for("strat_jkn_rake", raked, api_vars)
ps <- postStratify(strat_jkn, ~sch.wide, pop_wide)
stats_for("strat_jkn_ps", ps, api_vars)
cal <- calibrate(strat_jkn, ~stype + enroll, c(6194, 755, 1018, 3811472), epsilon = 1e-13)
stats_for("strat_jkn_cal", cal, api_vars)
calr <- calibrate(strat_jkn, ~stype + enroll, c(6194, 755, 1018, 3811472), calfun = "raking",
                  epsilon = 1e-13, maxit = 200)
stats_for("strat_jkn_calraking", calr, api_vars)

# a lonely PSU: stratum s01 keeps only its first PSU; JKn under each survey.lonely.psu rule
lonely <- pairs[pairs$psu != "s01.p2", ]
for (rule in c("remove", "adjust", "average", "certainty")) {
  options(survey.lonely.psu = rule)
  dl <- as.svrepdesign(svydesign(id = ~psu, strata = ~h, weights = ~pw, data = lonely),
                       type = "JKn")
  nm <- paste0("lonely_jkn_", rule)
  mn <- svymean(~y, dl); tt <- svytotal(~x, dl)
  add(nm, "mean", "y", "", c("est", "se"), c(coef(mn), SE(mn)))
  add(nm, "total", "x", "", c("est", "se"), c(coef(tt), SE(tt)))
  add(nm, "degf", "", "", "value", degf(dl))
}
options(survey.lonely.psu = "fail")

write.csv(res, file.path(out_dir, "replicate_reference.csv"), row.names = FALSE, na = "")
cat("wrote", nrow(res), "reference values\n")
