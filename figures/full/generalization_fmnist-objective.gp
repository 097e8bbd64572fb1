# The figure of figures/generalization-objective.gp for the Fashion-MNIST run (configs/full/generalization_fmnist.yaml).
load 'figures/generalization-objective.gp'
