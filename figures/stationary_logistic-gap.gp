# figures/stationary-gap.gp for results/stationary_logistic (the logistic loss).
load 'figures/stationary-gap.gp'
