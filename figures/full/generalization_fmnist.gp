# The figure of figures/generalization.gp for the Fashion-MNIST run (configs/full/generalization_fmnist.yaml).
load 'figures/generalization.gp'
