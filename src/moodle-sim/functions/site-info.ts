import { list, structure, text, withDefault } from '../protocol/external-params';
import { defineWsFunction } from './define';

/** Site-wide switches a 4.5 site reports; fixed, the sync does not read them. */
const ADVANCED_FEATURES: readonly [string, number][] = [
  ['usecomments', 1],
  ['usetags', 1],
  ['enablenotes', 1],
  ['messaging', 1],
  ['enableblogs', 0],
  ['enablecompletion', 1],
  ['enablebadges', 1],
  ['messagingallusers', 0],
  ['enablecustomreports', 1],
  ['mnet_dispatcher_mode', 0],
];

const MAX_UPLOAD_BYTES = 104_857_600;

/** core_webservice_get_site_info (docs/moodle.md §2); `functions` is the token's service. */
export const getSiteInfo = defineWsFunction({
  params: structure({ serviceshortnames: withDefault(list(text('alphanumext')), []) }),
  execute(_params, { site, siteUrl }) {
    const user = site.serviceUser;
    const { identity } = site;
    return {
      rows: 1,
      body: {
        sitename: identity.sitename,
        username: user.username,
        firstname: user.firstname,
        lastname: user.lastname,
        fullname: `${user.firstname} ${user.lastname}`,
        lang: identity.lang,
        userid: user.id,
        siteurl: siteUrl,
        userpictureurl: `${siteUrl}/theme/image.php/${identity.theme}/core/1730000000/u/f1`,
        functions: site.serviceFunctions().map((name) => ({ name, version: identity.version })),
        downloadfiles: 0,
        uploadfiles: 0,
        release: identity.release,
        version: identity.version,
        mobilecssurl: '',
        advancedfeatures: ADVANCED_FEATURES.map(([name, value]) => ({ name, value })),
        usercanmanageownfiles: true,
        userquota: MAX_UPLOAD_BYTES,
        usermaxuploadfilesize: MAX_UPLOAD_BYTES,
        userhomepage: 1,
        userprivateaccesskey: identity.userprivateaccesskey,
        siteid: site.siteId,
        sitecalendartype: 'gregorian',
        usercalendartype: 'gregorian',
        userissiteadmin: false,
        theme: identity.theme,
        limitconcurrentlogins: 0,
        policyagreed: 0,
      },
    };
  },
});
