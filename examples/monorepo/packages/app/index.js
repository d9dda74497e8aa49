console.log(require('@mono/helper').include);
