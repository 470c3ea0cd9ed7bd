# Reference values for survey_kit/crosstab.py (banner tables).
#
# Run from the repository root:   Rscript tests/r/crosstab_fixtures.R
# Writes tests/fixtures/r/crosstab_apistrat.csv, crosstab_apiclus1.csv (the data) and
# crosstab.json (the values). Needs R packages survey and jsonlite.
#
# For a row variable (api00 in four bands) by a banner variable (enrolment in three
# bands), on four designs -- stratified with fpc (apistrat), one-stage cluster with
# fpc (apiclus1), weights only, and apistrat raked to stype and sch.wide margins:
# - column proportions and their SEs: svyby(~ind, ~size3, svymean), ind = (band == level)
# - every pairwise column difference (svyglm(ind ~ size3) with the other column as the
#   reference level), its SE, t = difference / SE and the two-sided p-value on
#   degf(design) degrees of freedom
# - the Rao-Scott second-order F test: svychisq(~band + size3, statistic = "F")
# - the mean of api99 by column with its SE (svyby svymean)

suppressMessages({
  library(survey)
  library(jsonlite)
})

out_dir <- file.path("tests", "fixtures", "r")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

data(api)
band <- function(x) as.character(cut(x, c(-Inf, 550, 650, 750, Inf),
                                     labels = c("lt550", "550_649", "650_749", "750_up"),
                                     right = FALSE))
size3 <- function(x) as.character(cut(x, c(-Inf, 400, 700, Inf),
                                      labels = c("small", "mid", "large"), right = FALSE))

strat <- apistrat[, c("snum", "stype", "sch.wide", "api00", "api99", "enroll", "pw", "fpc")]
strat$band <- band(strat$api00)
strat$size3 <- size3(strat$enroll)
names(strat)[names(strat) == "sch.wide"] <- "sch_wide"
clus <- apiclus1[, c("snum", "dnum", "stype", "api00", "api99", "enroll", "pw", "fpc")]
clus$band <- band(clus$api00)
clus$size3 <- size3(clus$enroll)
write.csv(strat, file.path(out_dir, "crosstab_apistrat.csv"), row.names = FALSE, na = "")
write.csv(clus, file.path(out_dir, "crosstab_apiclus1.csv"), row.names = FALSE, na = "")

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat, fpc = ~fpc)
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_sw <- data.frame(sch_wide = c("No", "Yes"), Freq = c(1194, 5000))
designs <- list(
  apistrat = dstrat,
  apiclus1 = svydesign(id = ~dnum, weights = ~pw, data = clus, fpc = ~fpc),
  weights_only = svydesign(id = ~1, weights = ~pw, data = strat),
  raked = rake(dstrat, list(~stype, ~sch_wide), list(pop_stype, pop_sw),
               control = list(maxit = 5000, epsilon = 1e-13))
)

levels_band <- c("lt550", "550_649", "650_749", "750_up")
levels_size <- c("small", "mid", "large")
pairs <- combn(levels_size, 2)

one_design <- function(d) {
  df <- degf(d)
  cells <- list()
  comps <- list()
  for (lev in levels_band) {
    dl <- update(d, ind = as.numeric(band == lev))
    by <- svyby(~ind, ~size3, dl, svymean)
    est <- coef(by)
    se <- SE(by)
    names(se) <- names(est)
    for (s in levels_size) {
      cells[[length(cells) + 1]] <- list(row = lev, col = s, estimate = unname(est[s]),
                                         se = unname(se[s]))
    }
    for (k in seq_len(ncol(pairs))) {
      a <- pairs[1, k]
      b <- pairs[2, k]
      # ind ~ size3 with column b as reference: the coefficient of a is p_a - p_b and
      # its sandwich SE is the design SE of the difference (svyby(covmat = TRUE) +
      # svycontrast give the same, but fail on raked designs in survey 4.1.1)
      dl2 <- update(dl, col = factor(size3, levels = c(b, setdiff(levels_size, b))))
      fit <- svyglm(ind ~ col, design = dl2)
      nm <- paste0("col", a)
      dif <- unname(coef(fit)[nm])
      sd <- unname(sqrt(vcov(fit)[nm, nm]))
      t <- dif / sd
      comps[[length(comps) + 1]] <- list(row = lev, a = a, b = b, difference = dif, se = sd,
                                         t = t, p = 2 * pt(-abs(t), df))
    }
  }
  means <- svyby(~api99, ~size3, d, svymean)
  mse <- SE(means)
  names(mse) <- names(coef(means))
  chi <- svychisq(~band + size3, d, statistic = "F")
  list(degf = df, cells = cells, comparisons = comps,
       means = lapply(levels_size, function(s) list(col = s,
                                                    estimate = unname(coef(means)[s]),
                                                    se = unname(mse[s]))),
       chisq = list(statistic = unname(chi$statistic), ndf = unname(chi$parameter[1]),
                    ddf = unname(chi$parameter[2]), p = chi$p.value),
       weights = unname(weights(d)))
}

res <- lapply(designs, one_design)
res$populations <- list(stype = setNames(as.list(pop_stype$Freq), pop_stype$stype),
                        sch_wide = setNames(as.list(pop_sw$Freq), pop_sw$sch_wide))
res$survey_version <- as.character(packageVersion("survey"))
writeLines(toJSON(res, auto_unbox = TRUE, digits = I(17), pretty = TRUE, na = "null"),
           file.path(out_dir, "crosstab.json"))
cat("wrote", file.path(out_dir, "crosstab.json"), "\n")
