// Strings of "Add network drive…" in the Drives panel (iSCSI).
export const enNetwork = {
  network: {
    add: 'Add network drive…',
    address: 'iSCSI address',
    placeholder: 'iscsi://HOST[:PORT]/IQN/LUN',
    connect: 'Add drive…',
    electronHint: 'Glassmaster asks you to confirm before it connects. A drive that needs a CHAP user and secret is added with the command line: glassmaster drives --add-iscsi.',
    browserWhy: 'This page cannot add a network drive: a web page never chooses which computers Glassmaster connects to. Add it on the computer running Glassmaster, with one of these commands:',
    remember: 'Remember the drive (in config.json; CHAP credentials go in the address as user:secret@):',
    thisRun: 'Or use it for one run of the browser shell only:',
    then: 'The drive then shows in this list (it is checked every 2 seconds; after restarting serve, reload this page).',
    added: 'Network drive {{address}} added.',
    declined: 'The network drive was not added.',
  },
};
