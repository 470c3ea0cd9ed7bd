# Reference values from R `survey` for survey_kit.design (issue 5).
#
# Run from the repository root:
#     Rscript tests/r/design_fixtures.R
#
# Writes to tests/fixtures/r/:
#   apistrat.csv, apiclus1.csv    R data(api), all columns (doubles with 17 significant digits)
#   design_firms.csv              synthetic firm survey (set.seed below), 600 firms
#   design_firms_calibration.csv  R's calibrated weights of the firm designs (id, design, weight)
#   design_firms_targets.csv      population margins used for post-stratification / raking /
#                                 calibration (variable, level, target)
#   design_reference.csv          design, kind, var, group, level, stat, value
#
# Designs: api_strat, api_clus1 (R's api examples), firm_w (weights only, three zero
# weights), firm_clus (strata = region, PSU = psu, fpc as sampling fractions), firm_ps
# (postStratify on size class), firm_rake (rake on size class, sector, export band, run to
# convergence), firm_cal (linear calibrate), firm_cal_logit (calfun "logit", bounds
# 0.05-20), firm_lonely_<option>[_fpc] (one PSU in stratum "hokkaido", per
# options(survey.lonely.psu)).
#
# kind: mean, total (svymean/svytotal, na.rm = TRUE, deff = deff_kind(d), confint with
#       df = degf(design)); prop_<method> (svyciprop, df = degf(design); for "logit" the
#       same computation with the glm iterated to convergence, R's own output being kept
#       as prop_logit_r) and prop_deff (svymean of the indicator, deff = TRUE); by_mean,
#       by_total (svyby, na.rm = TRUE, deff = TRUE, confint with df = degf(design));
#       by_prop_<method> (svyby with svyciprop, df = degf(design)); quantile (svyquantile
#       defaults: qrule "math", interval.type "mean"); glm (svyglm, iterated to
#       convergence); compare (difference of two domain means as the svyglm slope of a
#       domain indicator, p from t on degf(design)); degf.
#
# Survey package version used is recorded in design_reference.csv (kind "meta").

suppressPackageStartupMessages(library(survey))

# The design effect's simple-random-sampling variance: without replacement (R's
# deff = TRUE, factor (N - n) / N with N the sum of the weights) when the design has
# an fpc, so N is a population size; with replacement (deff = "replace") otherwise,
# so the deff does not depend on the scale of the weights (weights summing to n, as
# after calibration to population shares, would make (N - n) / N zero).
deff_kind <- function(d) if (is.null(d$fpc$popsize)) "replace" else TRUE

out_dir <- file.path("tests", "fixtures", "r")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
source(file.path("tests", "r", "common.R"))   # num17, write_data

# ---------------------------------------------------------------- data
data(api)
write_data(apistrat, file.path(out_dir, "apistrat.csv"))
write_data(apiclus1, file.path(out_dir, "apiclus1.csv"))

set.seed(20240605)
n <- 600
size_levels <- c("micro", "small", "medium", "large")
size_class <- sample(size_levels, n, replace = TRUE, prob = c(0.35, 0.3, 0.2, 0.15))
sector <- sample(c("manufacturing", "services", "trade"), n, replace = TRUE,
                 prob = c(0.3, 0.45, 0.25))
export_intensity <- round(pmin(1, rbeta(n, 0.6, 2.5) * (1 + 0.4 * (size_class == "large"))), 4)
export_band <- cut(export_intensity, c(-Inf, 0.02, 0.1, 0.3, Inf),
                   labels = c("none", "low", "mid", "high"))
export_band <- as.character(export_band)
lin <- -2.2 + 2.5 * export_intensity + 0.9 * (size_class == "large") +
  0.4 * (size_class == "medium") + 0.3 * (sector == "services")
foreign25 <- rbinom(n, 1, plogis(lin))
share <- round(100 * rbeta(n, 1.2, 4) + 15 * foreign25, 2)
share[sample(n, 55)] <- NA
employees <- round(exp(rnorm(n, 2 + 1.1 * match(size_class, size_levels), 0.5)))
cloud <- ifelse(runif(n) < plogis(-0.3 + 0.5 * match(size_class, size_levels) / 2), "yes", "no")
cloud[sample(n, 40)] <- NA
region <- sample(c("hokkaido", "kanto", "chubu", "kansai", "kyushu"), n, replace = TRUE,
                 prob = c(0.1, 0.35, 0.2, 0.2, 0.15))
# PSUs within regions (e.g. business registers of cities); hokkaido has 4 PSUs
psu_n <- c(hokkaido = 4, kanto = 12, chubu = 8, kansai = 8, kyushu = 6)
psu <- paste0(region, "_", sapply(region, function(r) sample(psu_n[[r]], 1)))
frac <- c(hokkaido = 0.02, kanto = 0.01, chubu = 0.015, kansai = 0.015, kyushu = 0.02)[region]
size_w <- c(micro = 120, small = 60, medium = 25, large = 8)[size_class]
w <- round(size_w * exp(rnorm(n, 0, 0.25)), 3)
w0 <- w
w0[sample(n, 3)] <- 0  # weights-only design: three respondents with zero weight
# lonely variant: region "hokkaido" collapsed to one PSU
psu_lonely <- ifelse(region == "hokkaido", "hokkaido_1", psu)
firms <- data.frame(id = seq_len(n), size_class, sector, export_band, export_intensity,
                    foreign25, share, employees, cloud, region, psu, psu_lonely,
                    frac = unname(frac), w, w0, stringsAsFactors = FALSE)
write_data(firms, file.path(out_dir, "design_firms.csv"))
# read back so that R and Python use the same rounded numbers
firms <- read.csv(file.path(out_dir, "design_firms.csv"), stringsAsFactors = FALSE,
                  na.strings = c("", "NA"))

# population margins of a synthetic register of 60,000 firms
pop_size <- c(micro = 30000, small = 18000, medium = 8000, large = 4000)
pop_sector <- c(manufacturing = 17000, services = 29000, trade = 14000)
pop_band <- c(none = 24000, low = 16000, mid = 12000, high = 8000)
targets <- rbind(
  data.frame(variable = "size_class", level = names(pop_size), target = unname(pop_size)),
  data.frame(variable = "sector", level = names(pop_sector), target = unname(pop_sector)),
  data.frame(variable = "export_band", level = names(pop_band), target = unname(pop_band)))
write.csv(targets, file.path(out_dir, "design_firms_targets.csv"), row.names = FALSE)
pop_df <- function(v, tab) { d <- data.frame(names(tab), unname(tab)); names(d) <- c(v, "Freq"); d }

# ---------------------------------------------------------------- designs
designs <- list()
designs$api_strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
designs$api_clus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
designs$firm_w <- svydesign(ids = ~1, weights = ~w0, data = firms)
# calibrated designs start from positive base weights (R cannot residualise on zero weights)
firm_w <- svydesign(ids = ~1, weights = ~w, data = firms)
designs$firm_ps <- postStratify(firm_w, ~size_class, pop_df("size_class", pop_size))
designs$firm_rake <- rake(firm_w, list(~size_class, ~sector, ~export_band),
                          list(pop_df("size_class", pop_size), pop_df("sector", pop_sector),
                               pop_df("export_band", pop_band)),
                          control = list(maxit = 1000, epsilon = 1e-12))
# the same raking to population *shares* (targets summing to the sample size n, weights
# then summing to n): estimates, SEs and deff must not depend on that scale
share_of <- function(tab) tab * nrow(firms) / sum(tab)
designs$firm_rake_share <- rake(firm_w, list(~size_class, ~sector, ~export_band),
                                list(pop_df("size_class", share_of(pop_size)),
                                     pop_df("sector", share_of(pop_sector)),
                                     pop_df("export_band", share_of(pop_band))),
                                control = list(maxit = 1000, epsilon = 1e-12))
mm_pop <- function() {
  # population totals of model.matrix(~ size_class + sector + export_band): factor levels are
  # sorted alphabetically by R, the first being the reference
  lv_size <- sort(names(pop_size)); lv_sec <- sort(names(pop_sector)); lv_band <- sort(names(pop_band))
  c(`(Intercept)` = sum(pop_size),
    setNames(pop_size[lv_size[-1]], paste0("size_class", lv_size[-1])),
    setNames(pop_sector[lv_sec[-1]], paste0("sector", lv_sec[-1])),
    setNames(pop_band[lv_band[-1]], paste0("export_band", lv_band[-1])))
}
designs$firm_cal <- calibrate(firm_w, ~size_class + sector + export_band, population = mm_pop())
# bounded logit calibration (grake), run to convergence
designs$firm_cal_logit <- calibrate(firm_w, ~size_class + sector + export_band,
                                    population = mm_pop(), calfun = "logit",
                                    bounds = c(0.05, 20), maxit = 500, epsilon = 1e-13)
designs$firm_clus <- svydesign(ids = ~psu, strata = ~region, weights = ~w0, data = firms,
                               fpc = ~frac)

calw <- do.call(rbind, lapply(c("firm_ps", "firm_rake", "firm_cal", "firm_cal_logit",
                                "firm_rake_share"), function(nm)
  data.frame(id = firms$id, design = nm, weight = num17(weights(designs[[nm]])))))
write.csv(calw, file.path(out_dir, "design_firms_calibration.csv"), row.names = FALSE)

# ---------------------------------------------------------------- what to compute
spec <- list(
  api_strat = list(num = c("api00", "enroll", "avg.ed"), by = "sch.wide",
                   props = list(c("sch.wide", "Yes"), c("awards", "Yes")),
                   glm = list(api00 ~ ell + meals + stype, gaussian()),
                   compare = c("api00", "stype", "H", "E")),
  api_clus1 = list(num = c("api00", "enroll", "avg.ed"), by = "stype",
                   props = list(c("sch.wide", "Yes"), c("stype", "H")),
                   glm = list(I(api00 > 700) ~ ell + meals + mobility, quasibinomial()),
                   compare = c("api00", "stype", "H", "E")),
  firm_w = list(num = c("share", "export_intensity", "employees"), by = "size_class",
                props = list(c("foreign25", "1"), c("cloud", "yes")),
                glm = list(foreign25 ~ export_intensity + size_class, quasibinomial()),
                compare = c("share", "size_class", "large", "micro")),
  firm_clus = list(num = c("share", "export_intensity", "employees"), by = "sector",
                   props = list(c("foreign25", "1"), c("cloud", "yes")),
                   glm = list(foreign25 ~ export_intensity + size_class, quasibinomial()),
                   compare = c("share", "sector", "trade", "services")))
spec$firm_ps <- spec$firm_w
spec$firm_rake <- spec$firm_w
spec$firm_cal <- spec$firm_w
spec$firm_cal_logit <- spec$firm_w
spec$firm_rake_share <- spec$firm_w
spec$firm_rake_share$by <- "sector"
spec$firm_cal_logit$by <- "sector"
spec$firm_ps$by <- "sector"; spec$firm_rake$by <- "sector"; spec$firm_cal$by <- "sector"

rows <- list()
emit <- function(design, kind, var, group, level, stat, value) {
  rows[[length(rows) + 1]] <<- data.frame(design = design, kind = kind, var = var,
    group = as.character(group), level = as.character(level), stat = stat,
    value = num17(as.numeric(value)), stringsAsFactors = FALSE)
}
# glm's IRLS stops on a relative change of deviance; its covariance then uses the working
# weights of the last-but-one iterate. To compare exact estimators, iterate to the floating
# point fixed point (R warns that it "did not converge": it has, to machine precision).
glm_ctrl <- glm.control(epsilon = 1e-30, maxit = 60)
# svyciprop(method = "logit") with that fully converged fit: the same computation as
# survey:::svyciprop (intercept-only quasibinomial svyglm, Wald interval on ddf = df)
ciprop_logit <- function(f, design, df) {
  m <- eval(bquote(svyglm(.(f[[2]]) ~ 1, design, family = quasibinomial(), control = glm_ctrl)))
  ci <- as.numeric(plogis(confint(m, 1, level = 0.95, method = "Wald", ddf = df)))
  c(plogis(coef(m))[[1]], ci)
}

for (dn in names(spec)) {
  d <- designs[[dn]]
  s <- spec[[dn]]
  df <- degf(d)
  emit(dn, "degf", "", "", "", "value", df); message("design ", dn)
  for (v in s$num) {
    f <- as.formula(paste0("~`", v, "`"))
    for (kind in c("mean", "total")) {
      FUN <- if (kind == "mean") svymean else svytotal
      e <- FUN(f, d, na.rm = TRUE, deff = deff_kind(d))
      ci <- confint(e, df = df)
      emit(dn, kind, v, "", "", "estimate", coef(e))
      emit(dn, kind, v, "", "", "se", SE(e))
      emit(dn, kind, v, "", "", "ci_low", ci[1])
      emit(dn, kind, v, "", "", "ci_high", ci[2])
      emit(dn, kind, v, "", "", "deff", deff(e))
      b <- svyby(f, as.formula(paste0("~", s$by)), d, FUN, na.rm = TRUE, deff = deff_kind(d))
      bci <- confint(b, df = df)
      for (i in seq_len(nrow(b))) {
        g <- as.character(b[[s$by]][i])
        emit(dn, paste0("by_", kind), v, g, "", "estimate", coef(b)[i])
        emit(dn, paste0("by_", kind), v, g, "", "se", SE(b)[i])
        emit(dn, paste0("by_", kind), v, g, "", "ci_low", bci[i, 1])
        emit(dn, paste0("by_", kind), v, g, "", "ci_high", bci[i, 2])
        # deff.svyby() cannot read deff = "replace" (survey 4.1.1): take the column
        emit(dn, paste0("by_", kind), v, g, "", "deff", b[[grep("^DEff", names(b))]][i])
      }
    }
    q <- svyquantile(f, d, c(0.25, 0.5, 0.9), na.rm = TRUE, ci = TRUE)[[1]]
    for (i in seq_len(nrow(q))) {
      emit(dn, "quantile", v, "", rownames(q)[i], "estimate", q[i, 1])
      emit(dn, "quantile", v, "", rownames(q)[i], "ci_low", q[i, 2])
      emit(dn, "quantile", v, "", rownames(q)[i], "ci_high", q[i, 3])
      emit(dn, "quantile", v, "", rownames(q)[i], "se", q[i, 4])
    }
  }
  for (p in s$props) {
    v <- p[1]; lev <- p[2]
    f <- as.formula(paste0("~I(`", v, "` == '", lev, "')"))
    for (m in c("logit", "beta", "mean", "xlogit", "asin")) {
      e <- suppressWarnings(svyciprop(f, d, method = m, df = df, na.rm = TRUE))
      ci <- attr(e, "ci")
      if (m == "logit") {
        # R's own svyciprop output (glm converged to 1e-8 only) is kept as prop_logit_r
        emit(dn, "prop_logit_r", v, "", lev, "estimate", coef(e))
        emit(dn, "prop_logit_r", v, "", lev, "ci_low", ci[1])
        emit(dn, "prop_logit_r", v, "", lev, "ci_high", ci[2])
        full <- suppressWarnings(ciprop_logit(f, d, df))
        e[1] <- full[1]
        ci <- full[2:3]
      }
      emit(dn, paste0("prop_", m), v, "", lev, "estimate", coef(e))
      emit(dn, paste0("prop_", m), v, "", lev, "se", SE(e))
      emit(dn, paste0("prop_", m), v, "", lev, "ci_low", ci[1])
      emit(dn, paste0("prop_", m), v, "", lev, "ci_high", ci[2])
    }
    e <- svymean(f, d, na.rm = TRUE, deff = deff_kind(d))
    emit(dn, "prop_deff", v, "", lev, "deff", deff(e)[2])
    for (m in c("logit", "mean")) {
      b <- suppressWarnings(svyby(f, as.formula(paste0("~", s$by)), d, svyciprop, method = m,
                                  df = df, na.rm = TRUE, vartype = c("se", "ci")))
      for (i in seq_len(nrow(b))) {
        g <- as.character(b[[s$by]][i])
        if (m == "logit") {
          gv <- as.character(d$variables[[s$by]])
          full <- suppressWarnings(ciprop_logit(f, d[!is.na(gv) & gv == g, ], df))
          b[i, 2] <- full[1]
          b[i, "ci_l"] <- full[2]
          b[i, "ci_u"] <- full[3]
        }
        # a domain where the share is 0 or 1 has no meaningful logit fit (R's glm stops
        # at about 1e-12): left out
        if (coef(b)[i] < 1e-9 || coef(b)[i] > 1 - 1e-9) next
        emit(dn, paste0("by_prop_", m), v, g, lev, "estimate", coef(b)[i])
        emit(dn, paste0("by_prop_", m), v, g, lev, "se", SE(b)[i])
        emit(dn, paste0("by_prop_", m), v, g, lev, "ci_low", b[i, "ci_l"])
        emit(dn, paste0("by_prop_", m), v, g, lev, "ci_high", b[i, "ci_u"])
      }
    }
  }
  # regression
  fit <- suppressWarnings(svyglm(s$glm[[1]], d, family = s$glm[[2]], control = glm_ctrl))
  ct <- coef(summary(fit))
  cis <- confint(fit)
  for (i in seq_len(nrow(ct))) {
    nm <- rownames(ct)[i]
    emit(dn, "glm", "", "", nm, "estimate", ct[i, 1])
    emit(dn, "glm", "", "", nm, "se", ct[i, 2])
    emit(dn, "glm", "", "", nm, "t", ct[i, 3])
    emit(dn, "glm", "", "", nm, "p", ct[i, 4])
    emit(dn, "glm", "", "", nm, "ci_low", cis[i, 1])
    emit(dn, "glm", "", "", nm, "ci_high", cis[i, 2])
  }
  emit(dn, "glm", "", "", "", "df_resid", fit$df.residual)
  # comparison of two domain means: the slope of a domain indicator in svyglm on the two
  # domains (the same linearization as svycontrast of svyby(covmat = TRUE), which fails on
  # calibrated designs with missing values)
  cv <- s$compare
  yv <- d$variables[[cv[1]]]
  gv <- as.character(d$variables[[cv[2]]])
  dd <- update(d, .grp = factor(gv, levels = c(cv[4], cv[3])))
  dd <- subset(dd, !is.na(yv) & gv %in% cv[3:4])
  fit <- svyglm(as.formula(paste0("`", cv[1], "` ~ .grp")), dd)
  con <- c(coef(fit)[2], SE(fit)[2])
  tt <- con[1] / con[2]
  emit(dn, "compare", cv[1], cv[2], paste(cv[3], cv[4], sep = "-"), "estimate", con[1])
  emit(dn, "compare", cv[1], cv[2], paste(cv[3], cv[4], sep = "-"), "se", con[2])
  emit(dn, "compare", cv[1], cv[2], paste(cv[3], cv[4], sep = "-"), "t", tt)
  emit(dn, "compare", cv[1], cv[2], paste(cv[3], cv[4], sep = "-"), "p", 2 * pt(-abs(tt), df))
}

# ---------------------------------------------------------------- lonely PSUs
for (opt in c("remove", "adjust", "average", "certainty")) {
  options(survey.lonely.psu = opt)
  d <- svydesign(ids = ~psu_lonely, strata = ~region, weights = ~w, data = firms)
  dn <- paste0("firm_lonely_", opt)
  emit(dn, "degf", "", "", "", "value", degf(d))
  for (v in c("share", "export_intensity")) {
    f <- as.formula(paste0("~", v))
    e <- svymean(f, d, na.rm = TRUE)
    emit(dn, "mean", v, "", "", "estimate", coef(e))
    emit(dn, "mean", v, "", "", "se", SE(e))
    e <- svytotal(f, d, na.rm = TRUE)
    emit(dn, "total", v, "", "", "estimate", coef(e))
    emit(dn, "total", v, "", "", "se", SE(e))
  }
  # the same with fpc given as population sizes (number of PSUs in the population stratum)
  d <- svydesign(ids = ~psu_lonely, strata = ~region, weights = ~w, data = firms,
                 fpc = ~I(ifelse(region == "hokkaido", 3, 40)))
  e <- svymean(~export_intensity, d)
  emit(paste0(dn, "_fpc"), "mean", "export_intensity", "", "", "se", SE(e))
}
options(survey.lonely.psu = "fail")

ref <- do.call(rbind, rows)
ref <- rbind(data.frame(design = "meta", kind = "meta", var = "survey",
                        group = as.character(packageVersion("survey")),
                        level = R.version.string, stat = "version", value = NA),
             ref)
write.csv(ref, file.path(out_dir, "design_reference.csv"), row.names = FALSE, na = "")
cat("wrote", nrow(ref), "reference values\n")
