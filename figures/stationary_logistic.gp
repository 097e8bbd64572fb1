# figures/stationary.gp for results/stationary_logistic (the logistic loss).
load 'figures/stationary.gp'
