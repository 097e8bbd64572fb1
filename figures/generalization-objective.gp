# Future work, "generalization of the global optima": the training objective L_beta against beta, one panel per
# loss, the convex optimum over the sampled patterns (an upper bound on the full program's optimum) and the
# gradient-descent networks of each width (seed 1). Reads res/results.csv.
col = 9
what = 'training objective'
ylab = 'L_{/Symbol b}({/Symbol q}) on the training set'
load 'figures/generalization.gp'
