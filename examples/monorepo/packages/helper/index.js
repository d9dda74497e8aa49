module.exports = { include: require('node-addon-api').include_dir };
