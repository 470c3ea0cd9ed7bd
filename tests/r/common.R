# Helpers shared by the fixture scripts (source from the repository root):
#   num17       doubles written with 17 significant digits (round-trip exact), NA kept
#   write_data  a data frame as CSV with such doubles and factors as text
#   ciprop_likelihood  svyciprop(method = "likelihood") to convergence: the intercept-only
#               quasibinomial svyglm iterated to the floating point fixed point and the
#               exact profile roots (uniroot, tol 1e-15) of
#               z(b) = sign(b - b0) sqrt((dev(b) - dev(b0)) / dispersion) = qt(a, df) sqrt(lambda)
#               (lambda = cov.unscaled / naive.cov, as survey:::confint.svyglm)

num17 <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))

write_data <- function(df, path) {
  for (nm in names(df)) {
    if (is.double(df[[nm]])) df[[nm]] <- num17(df[[nm]])
    if (is.factor(df[[nm]])) df[[nm]] <- as.character(df[[nm]])
  }
  write.csv(df, path, row.names = FALSE, na = "")
}

ciprop_likelihood <- function(f, design, df, level = 0.95,
                              control = glm.control(epsilon = 1e-30, maxit = 60)) {
  m <- suppressWarnings(eval(bquote(svyglm(.(f[[2]]) ~ 1, design, family = quasibinomial(),
                                           control = .(control)))))
  b0 <- coef(m)[[1]]
  lambda <- m$cov.unscaled[1, 1] / m$naive.cov[1, 1]
  disp <- summary(m)$dispersion[1]
  Y <- m$y; W <- m$prior.weights
  dev <- function(b) sum(binomial()$dev.resids(Y, rep(plogis(b), length(Y)), W))
  dev0 <- dev(b0)
  z <- function(b) sign(b - b0) * sqrt(max(dev(b) - dev0, 0) / disp)
  cut <- qt((1 - level) / 2, df = df) * sqrt(lambda)
  se <- sqrt(m$cov.unscaled[1, 1])
  lo <- uniroot(function(b) z(b) + abs(cut), c(b0 - 50 * se, b0), tol = 1e-15)$root
  hi <- uniroot(function(b) z(b) - abs(cut), c(b0, b0 + 50 * se), tol = 1e-15)$root
  c(plogis(b0), plogis(lo), plogis(hi))
}
