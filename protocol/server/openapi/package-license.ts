// The licence every Opentab package is published under (LICENSE), for the API documents'
// info.license. A constant rather than a read of package.json: the merchant agent runs from a
// bundle in the merchant's project, where no package.json of ours sits at a known path.

/** The SPDX identifier of LICENSE; each package.json's `license` says the same (checked by a test). */
export const OPENTAB_LICENSE = 'Apache-2.0';
